package org.cogview2.models.sampling;

/**
 * Makes the random choices of sampling. Each draw is identified by the sample's index in the whole request, the
 * step (or grid cell) and its purpose, so a seeded source gives the same choices however samples are batched.
 * Tests inject their own source to fix the draws (for example to replay recorded choices, or take the mode).
 */
public interface DrawSource {

    /**
     * Picks an index of the categorical distribution proportional to {@code weights[0 .. length)} (non-negative,
     * not necessarily normalised). An index with weight 0 is never picked.
     *
     * @param sample index of the sample in the whole request (not in the current batch)
     * @param step   step of stage 1, or grid cell for the parallel stages
     */
    int draw(long sample, int step, DrawPurpose purpose, float[] weights, int length);

    /** A seeded source: inverse-CDF sampling with uniforms from {@link Philox}. */
    static DrawSource seeded(long seed) {
        return new SeededDraws(seed);
    }

    /**
     * A seeded source for one stage of the pipeline: the stages draw from independent streams of the same user
     * seed, so stage 2 never reuses a number stage 1 used.
     */
    static DrawSource seeded(long seed, int stream) {
        return new SeededDraws(SeededDraws.mix(seed + 0x9E3779B97F4A7C15L * stream));
    }

    /** Always the most likely index (the first on ties): greedy decisions, for verification. */
    static DrawSource mode() {
        return (sample, step, purpose, weights, length) -> argmax(weights, length);
    }

    /** The first index of the largest weight. */
    static int argmax(float[] weights, int length) {
        int best = 0;
        for (int i = 1; i < length; i++) {
            if (weights[i] > weights[best]) {
                best = i;
            }
        }
        return best;
    }
}
