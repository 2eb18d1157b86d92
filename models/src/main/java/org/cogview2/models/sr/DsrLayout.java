package org.cogview2.models.sr;

import org.cogview2.api.PromptTooLongException;
import org.cogview2.api.SuperResolver;

/**
 * The direct super-resolution sequence (spec 02 §6.1, {@code filling_sequence_dsr} with layout [96, 496, 4096]):
 * {@code [0]*(96-n) | text (n) | 400 low-resolution tokens | 3600 x <start_of_image>}, positions {@code 0} for the
 * pads, {@code 0..n-1}, {@code 513..912}, {@code 1024..4623}. Level 0 (indices below 496) uses standard attention
 * with the mask of §5.7; level 1 (the 60x60 grid) uses local attention. No attention bias.
 */
record DsrLayout(int textLength) {

    static final int TEXT_SLOTS = 96;
    static final int LEVEL0 = 496;
    static final int LENGTH = 4096;
    static final int LOW_SIDE = 20;
    static final int HIGH_SIDE = 60;

    static DsrLayout of(int[] textIds) {
        if (textIds.length > SuperResolver.MAX_TEXT_IDS) {
            throw new PromptTooLongException("The prompt text for super-resolution", textIds.length, SuperResolver.MAX_TEXT_IDS);
        }
        return new DsrLayout(textIds.length);
    }

    int pads() {
        return TEXT_SLOTS - textLength;
    }

    int[] ids(int[] textIds, int[] lowRes, int startOfImage) {
        int[] ids = new int[LENGTH];
        System.arraycopy(textIds, 0, ids, pads(), textLength);
        System.arraycopy(lowRes, 0, ids, TEXT_SLOTS, 400);
        java.util.Arrays.fill(ids, LEVEL0, LENGTH, startOfImage);
        return ids;
    }

    int[] positions() {
        int[] p = new int[LENGTH];
        for (int i = 0; i < textLength; i++) {
            p[pads() + i] = i;
        }
        for (int k = 0; k < 400; k++) {
            p[TEXT_SLOTS + k] = 513 + k;
        }
        for (int k = 0; k < 3600; k++) {
            p[LEVEL0 + k] = 1024 + k;
        }
        return p;
    }

    /** Level-0 mask {@code [496, 496]}: pads and text do not see the image; nobody but the pads sees the pads. */
    float[] levelZeroMask() {
        float[] m = new float[LEVEL0 * LEVEL0];
        int pads = pads();
        for (int i = 0; i < LEVEL0; i++) {
            for (int j = 0; j < LEVEL0; j++) {
                boolean hidden = (i < TEXT_SLOTS && j >= TEXT_SLOTS) || (i >= pads && j < pads);
                m[i * LEVEL0 + j] = hidden ? 0f : 1f;
            }
        }
        return m;
    }
}
