package org.cogview2.spi.sampling;

import java.util.Arrays;

/**
 * Which draws the rows of a sampling kernel use: row {@code m} draws with {@link Picker#seeded}{@code (key,
 * samples[m], steps[m])}, or greedily when {@code greedy}. Counter-based draws make each row's choice a function of
 * its (sample, step) alone, so a backend may sample rows in any order and on any number of threads.
 *
 * @param key     the Philox key of the stage's stream (ignored when greedy)
 * @param greedy  take the most likely choice instead of drawing
 * @param samples per row, the index of the sample in the whole request
 * @param steps   per row, the step of stage 1 or the grid cell of the parallel stages
 */
public record RowDraws(long key, boolean greedy, long[] samples, int[] steps) {

    public RowDraws {
        if (samples == null || steps == null || samples.length != steps.length) {
            throw new IllegalArgumentException("row draws need one sample and one step per row, got "
                    + (samples == null ? "null" : samples.length) + " samples and "
                    + (steps == null ? "null" : steps.length) + " steps");
        }
        samples = samples.clone();
        steps = steps.clone();
    }

    /** Seeded draws for {@code rows} consecutive cells {@code firstStep ..} of one sample. */
    public static RowDraws cells(long key, boolean greedy, long sample, int firstStep, int rows) {
        long[] s = new long[rows];
        int[] t = new int[rows];
        Arrays.fill(s, sample);
        for (int i = 0; i < rows; i++) {
            t[i] = firstStep + i;
        }
        return new RowDraws(key, greedy, s, t);
    }

    public int rows() {
        return steps.length;
    }

    /** The picker of row {@code m}. */
    public Picker picker(int m) {
        return greedy ? Picker.greedy() : Picker.seeded(key, samples[m], steps[m]);
    }

    @Override
    public long[] samples() {
        return samples.clone();
    }

    @Override
    public int[] steps() {
        return steps.clone();
    }
}
