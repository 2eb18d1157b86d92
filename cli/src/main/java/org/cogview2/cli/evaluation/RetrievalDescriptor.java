package org.cogview2.cli.evaluation;

import org.cogview2.api.RgbImage;

/**
 * The picture descriptor of the prompt-following measurement: the picture box-averaged down to 32x32 RGB, then blurred
 * with a 3x3 box filter (edges clamped), values clamped to [0, 1] first; pictures compare by the L2 distance of their descriptors.
 * Coarse on purpose: it sees an object's colours and rough shape, not the tokenizer's texture, so a drawing of a red
 * apple lands near the data set's red apples whichever style drew them.
 */
public final class RetrievalDescriptor {

    public static final int SIDE = 32;
    public static final int LENGTH = 3 * SIDE * SIDE;

    private RetrievalDescriptor() {
    }

    /** The descriptor of a square picture whose side is a multiple of 32 (160 and 480 are). */
    public static float[] of(RgbImage picture) {
        int w = picture.width();
        if (w != picture.height() || w % SIDE != 0) {
            throw new IllegalArgumentException("the retrieval descriptor takes square pictures with a side divisible by "
                    + SIDE + ", got " + w + "x" + picture.height());
        }
        int block = w / SIDE;
        float[] planes = picture.planes();
        float[] pooled = new float[LENGTH];
        for (int c = 0; c < 3; c++) {
            for (int y = 0; y < w; y++) {
                for (int x = 0; x < w; x++) {
                    pooled[(c * SIDE + y / block) * SIDE + x / block] += Math.clamp(planes[(c * w + y) * w + x], 0f, 1f);
                }
            }
        }
        float scale = 1f / (block * block);
        for (int i = 0; i < LENGTH; i++) {
            pooled[i] *= scale;
        }
        float[] out = new float[LENGTH];
        for (int c = 0; c < 3; c++) {
            for (int y = 0; y < SIDE; y++) {
                for (int x = 0; x < SIDE; x++) {
                    float s = 0;
                    for (int dy = -1; dy <= 1; dy++) {
                        for (int dx = -1; dx <= 1; dx++) {
                            int yy = Math.clamp(y + dy, 0, SIDE - 1);
                            int xx = Math.clamp(x + dx, 0, SIDE - 1);
                            s += pooled[(c * SIDE + yy) * SIDE + xx];
                        }
                    }
                    out[(c * SIDE + y) * SIDE + x] = s / 9f;
                }
            }
        }
        return out;
    }

    /** Squared L2 distance. */
    public static double distance(float[] a, float[] b) {
        double s = 0;
        for (int i = 0; i < a.length; i++) {
            double d = a[i] - b[i];
            s += d * d;
        }
        return s;
    }
}
