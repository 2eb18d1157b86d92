package org.cogview2.models.sampling;

/**
 * Inverse-CDF draws: {@code u} uniform in [0, 1) from Philox keyed by the seed and counted by (sample, step,
 * purpose); the result is the first index whose cumulative weight (summed in double, index order) exceeds
 * {@code u * total}.
 */
final class SeededDraws implements DrawSource {

    private final long seed;

    SeededDraws(long seed) {
        this.seed = seed;
    }

    /** SplitMix64's finaliser: spreads related seeds over unrelated keys. */
    static long mix(long z) {
        z = (z ^ (z >>> 30)) * 0xBF58476D1CE4E5B9L;
        z = (z ^ (z >>> 27)) * 0x94D049BB133111EBL;
        return z ^ (z >>> 31);
    }

    @Override
    public int draw(long sample, int step, DrawPurpose purpose, float[] weights, int length) {
        double total = 0;
        for (int i = 0; i < length; i++) {
            total += weights[i];
        }
        if (!(total > 0) || Double.isInfinite(total)) {
            throw new IllegalArgumentException("cannot sample from weights summing to " + total);
        }
        double u = Philox.uniform(seed, (int) sample, (int) (sample >>> 32), step, purpose.ordinal()) * total;
        double cumulative = 0;
        int last = -1;
        for (int i = 0; i < length; i++) {
            if (weights[i] > 0) {
                cumulative += weights[i];
                last = i;
                if (u < cumulative) {
                    return i;
                }
            }
        }
        return last; // rounding left u at the very top: the last index with weight
    }
}
