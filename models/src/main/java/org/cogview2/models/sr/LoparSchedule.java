package org.cogview2.models.sr;

/**
 * The local parallel autoregressive schedule of iterative super-resolution (spec 02 §7.3): a fixed 6x6 pattern
 * tiled over the 60x60 grid; pass {@code it = 1..6} re-masks (and re-samples) the cells whose pattern value is at
 * least {@code it}, keeping the top {@code k} tokens of 40, 40, 40, 20, 20, 10. Cells with values -2, -1 and 0 keep
 * their direct super-resolution token.
 */
public final class LoparSchedule {

    public static final int PASSES = 6;

    private static final int[][] PATTERN = {
            {-1, 0, 1, 2, 3, 4},
            {0, -1, 2, -1, -2, 5},
            {1, -2, 3, 4, 5, 6},
            {2, 3, 4, 5, -1, 1},
            {3, -1, -2, 0, -1, 2},
            {4, 5, 6, 1, 3, -2},
    };

    /** Index 0 is never used, as in the official list. */
    private static final int[] TOP_K = {60, 40, 40, 40, 20, 20, 10};

    private LoparSchedule() {
    }

    /** The pattern value of grid cell {@code (row, col)}. */
    public static int value(int row, int col) {
        return PATTERN[row % 6][col % 6];
    }

    /** Whether pass {@code pass} (1..6) re-samples cell {@code cell} of a {@code side x side} grid. */
    public static boolean remasked(int pass, int cell, int side) {
        return value(cell / side, cell % side) >= pass;
    }

    /** Top-k of pass {@code pass} (1..6). */
    public static int topK(int pass) {
        return TOP_K[pass];
    }
}
