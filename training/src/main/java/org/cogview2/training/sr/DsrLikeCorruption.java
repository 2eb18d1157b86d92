package org.cogview2.training.sr;

import org.cogview2.models.sr.LoparSchedule;

import java.util.SplittableRandom;

/**
 * What iterative super-resolution sees at LoPAR pass {@code p}: cells with schedule value 0 or below carry direct
 * SR's tokens, cells of values {@code 1 .. p-1} tokens the earlier passes drew, and cells of value {@code >= p} are
 * masked. Direct SR's tokens are right only in part and wrong mostly in the way of a slightly shifted picture, so a
 * true grid is corrupted by replacing a share of its cells with the true token of a neighbouring cell (within one
 * cell in each direction): {@link #DSR_ERROR} of the direct-SR cells, {@link #PASS_ERROR} of the refined ones.
 */
public final class DsrLikeCorruption {

    /** Share of direct-SR cells replaced. */
    static final double DSR_ERROR = 0.4;
    /** Share of cells drawn by earlier passes replaced. */
    static final double PASS_ERROR = 0.2;

    private final int side;

    public DsrLikeCorruption(int side) {
        this.side = side;
    }

    /** A corrupted copy of {@code truth} for pass {@code pass} (masking is left to the caller). */
    public int[] corrupt(int[] truth, int pass, SplittableRandom random) {
        int[] out = truth.clone();
        for (int r = 0; r < side; r++) {
            for (int c = 0; c < side; c++) {
                int value = LoparSchedule.value(r, c);
                if (value >= pass) {
                    continue;
                }
                double rate = value <= 0 ? DSR_ERROR : PASS_ERROR;
                if (random.nextDouble() < rate) {
                    int nr = Math.clamp(r + random.nextInt(3) - 1, 0, side - 1);
                    int nc = Math.clamp(c + random.nextInt(3) - 1, 0, side - 1);
                    out[r * side + c] = truth[nr * side + nc];
                }
            }
        }
        return out;
    }
}
