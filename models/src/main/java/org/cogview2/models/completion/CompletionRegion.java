package org.cogview2.models.completion;

import org.cogview2.api.CompletionBox;

/**
 * Where text-guided completion works on the 480x480 picture (spec 02 §8.1–§8.2, {@code cord2mask} and
 * {@code _surrounding_box_crop}): the mask of the box, and a square crop around it about 20/14 times its size
 * (the whole picture when that reaches 480), clamped to the picture.
 *
 * @param mask      480*480 flags (row-major), true inside the box
 * @param cropTop   first row of the crop
 * @param cropLeft  first column of the crop
 * @param cropSize  side of the square crop
 */
public record CompletionRegion(boolean[] mask, int cropTop, int cropLeft, int cropSize) {

    public static final int SIDE = 480;

    public static CompletionRegion of(CompletionBox box) {
        boolean[] mask = new boolean[SIDE * SIDE];
        int r0 = (int) (SIDE * box.h0());
        int r1 = (int) (SIDE * box.h1());
        int c0 = (int) (SIDE * box.w0());
        int c1 = (int) (SIDE * box.w1());
        int minR = Integer.MAX_VALUE, maxR = -1, minC = Integer.MAX_VALUE, maxC = -1;
        for (int r = r0; r < r1; r++) {
            for (int c = c0; c < c1; c++) {
                mask[r * SIDE + c] = true;
                minR = Math.min(minR, r);
                maxR = Math.max(maxR, r);
                minC = Math.min(minC, c);
                maxC = Math.max(maxC, c);
            }
        }
        if (maxR < 0) {
            throw new org.cogview2.api.InvalidInputException("the completion box " + box + " covers no pixel of the 480x480 picture");
        }
        double hc = (minR + maxR) / 2.0;
        double wc = (minC + maxC) / 2.0;
        int len = Math.max((int) ((maxR - minR + 1) * 20 / 14.0), (int) ((maxC - minC + 1) * 20 / 14.0));
        if (len >= SIDE) {
            return new CompletionRegion(mask, 0, 0, SIDE);
        }
        return new CompletionRegion(mask, start(hc, len), start(wc, len), len);
    }

    private static int start(double centre, int len) {
        int start = (int) (centre - len / 2.0);
        if (start < 0) {
            start = 0;
        }
        if ((int) (centre + len / 2.0) >= SIDE) {
            start = SIDE - len;
        }
        return start;
    }

    /** The mask restricted to the crop, {@code cropSize * cropSize} flags. */
    public boolean[] cropMask() {
        boolean[] out = new boolean[cropSize * cropSize];
        for (int r = 0; r < cropSize; r++) {
            System.arraycopy(mask, (cropTop + r) * SIDE + cropLeft, out, r * cropSize, cropSize);
        }
        return out;
    }

    /**
     * The crop mask at {@code side x side} cells: nearest-neighbour downsampling (PyTorch's rule, scale in fp32)
     * then {@code >= 0.5}, i.e. the nearest source pixel's flag.
     */
    public boolean[] cropMaskAt(int side) {
        boolean[] crop = cropMask();
        float scale = (float) cropSize / side;
        boolean[] out = new boolean[side * side];
        for (int r = 0; r < side; r++) {
            int sr = Math.min((int) Math.floor(r * scale), cropSize - 1);
            for (int c = 0; c < side; c++) {
                int sc = Math.min((int) Math.floor(c * scale), cropSize - 1);
                out[r * side + c] = crop[sr * cropSize + sc];
            }
        }
        return out;
    }
}
