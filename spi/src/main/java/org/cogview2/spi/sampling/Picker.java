package org.cogview2.spi.sampling;

/**
 * Makes one random choice of a sampling step: an index of the categorical distribution proportional to
 * {@code weights[0 .. length)} (non-negative, not necessarily normalised); an index of weight 0 is never picked.
 */
@FunctionalInterface
public interface Picker {

    int pick(DrawPurpose purpose, float[] weights, int length);

    /**
     * Seeded inverse-CDF draws for one (sample, step): {@code u} uniform in [0, 1) from {@link Philox} keyed by
     * {@code key} and counted by {@code (sample low, sample high, step, purpose)}; the result is the first index whose
     * cumulative weight (summed in double, index order) exceeds {@code u * total}.
     */
    static Picker seeded(long key, long sample, int step) {
        return (purpose, weights, length) -> inverseCdf(
                Philox.uniform(key, (int) sample, (int) (sample >>> 32), step, purpose.ordinal()), weights, length);
    }

    /** Always the most likely index (the first on ties): greedy decisions, for verification. */
    static Picker greedy() {
        return (purpose, weights, length) -> argmax(weights, length);
    }

    /** The index {@link #seeded} picks for the uniform {@code u}. */
    static int inverseCdf(double u, float[] weights, int length) {
        double total = 0;
        for (int i = 0; i < length; i++) {
            total += weights[i];
        }
        if (!(total > 0) || Double.isInfinite(total)) {
            throw new IllegalArgumentException("cannot sample from weights summing to " + total);
        }
        double target = u * total;
        double cumulative = 0;
        int last = -1;
        for (int i = 0; i < length; i++) {
            if (weights[i] > 0) {
                cumulative += weights[i];
                last = i;
                if (target < cumulative) {
                    return i;
                }
            }
        }
        return last; // rounding left u at the very top: the last index with weight
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
