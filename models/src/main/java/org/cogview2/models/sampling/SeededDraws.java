package org.cogview2.models.sampling;

import org.cogview2.spi.sampling.DrawPurpose;
import org.cogview2.spi.sampling.Picker;
import org.cogview2.spi.sampling.RowDraws;

/**
 * Inverse-CDF draws ({@link Picker#seeded}): {@code u} uniform in [0, 1) from Philox keyed by the seed and counted by
 * (sample, step, purpose). A backend's sampling kernel makes the very same draws ({@link #rows}).
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
        return Picker.seeded(seed, sample, step).pick(purpose, weights, length);
    }

    @Override
    public Picker picker(long sample, int step) {
        return Picker.seeded(seed, sample, step);
    }

    @Override
    public RowDraws rows(long[] samples, int[] steps) {
        return new RowDraws(seed, false, samples, steps);
    }
}
