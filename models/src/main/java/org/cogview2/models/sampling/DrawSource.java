package org.cogview2.models.sampling;

import org.cogview2.spi.sampling.DrawPurpose;
import org.cogview2.spi.sampling.Picker;
import org.cogview2.spi.sampling.RowDraws;

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

    /** The draws of one (sample, step) as the SPI's sampling functions take them. */
    default Picker picker(long sample, int step) {
        return (purpose, weights, length) -> draw(sample, step, purpose, weights, length);
    }

    /**
     * These draws for rows of a backend sampling kernel, or null when only the host can make them (an injected
     * source that replays recorded choices): then the stage samples on the host from read-back logits.
     */
    default RowDraws rows(long[] samples, int[] steps) {
        return null;
    }

    /** {@link #rows} for the {@code count} consecutive cells {@code firstStep ..} of one sample. */
    default RowDraws cells(long sample, int firstStep, int count) {
        RowDraws layout = RowDraws.cells(0, false, sample, firstStep, count);
        return rows(layout.samples(), layout.steps());
    }

    /** A seeded source: inverse-CDF sampling with uniforms from {@link org.cogview2.spi.sampling.Philox}. */
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
        return ModeDraws.INSTANCE;
    }

    /** The first index of the largest weight. */
    static int argmax(float[] weights, int length) {
        return Picker.argmax(weights, length);
    }
}
