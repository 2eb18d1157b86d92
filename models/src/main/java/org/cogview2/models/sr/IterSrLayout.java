package org.cogview2.models.sr;

/**
 * The iterative super-resolution sequence (spec 02 §7.2, layout [16, 3616]): {@code [0]*(16-m) | first m <= 16
 * text ids | 3600 grid tokens}, positions {@code 0} for pads, {@code 0..m-1}, {@code 1024..4623}; the text keys of
 * the pads are masked. No attention bias.
 */
record IterSrLayout(int[] text) {

    static final int TEXT_SLOTS = 16;
    static final int SIDE = 60;
    static final int CELLS = SIDE * SIDE;
    static final int LENGTH = TEXT_SLOTS + CELLS;

    /** Only the first 16 text ids are used (long prompts lose their tail, style suffix included). */
    static IterSrLayout of(int[] textIds) {
        return new IterSrLayout(java.util.Arrays.copyOf(textIds, Math.min(TEXT_SLOTS, textIds.length)));
    }

    int pads() {
        return TEXT_SLOTS - text.length;
    }

    int[] ids(int[] grid) {
        int[] ids = new int[LENGTH];
        System.arraycopy(text, 0, ids, pads(), text.length);
        System.arraycopy(grid, 0, ids, TEXT_SLOTS, CELLS);
        return ids;
    }

    int[] positions() {
        int[] p = new int[LENGTH];
        for (int i = 0; i < text.length; i++) {
            p[pads() + i] = i;
        }
        for (int k = 0; k < CELLS; k++) {
            p[TEXT_SLOTS + k] = 1024 + k;
        }
        return p;
    }

    /** 1 for text slots, 0 for pads. */
    float[] textKeyMask() {
        float[] m = new float[TEXT_SLOTS];
        java.util.Arrays.fill(m, pads(), TEXT_SLOTS, 1f);
        return m;
    }

    /** The key mask as rows of the level-0 text attention {@code [16, 16]}. */
    float[] levelZeroMask() {
        float[] row = textKeyMask();
        float[] m = new float[TEXT_SLOTS * TEXT_SLOTS];
        for (int i = 0; i < TEXT_SLOTS; i++) {
            System.arraycopy(row, 0, m, i * TEXT_SLOTS, TEXT_SLOTS);
        }
        return m;
    }
}
