package org.cogview2.conformance.golden;

/** Argmax, maximum and top-1 minus top-2 margin of rows of logits (the golden cases' summaries). */
record LogitStats(int[] argmax, float[] max, float[] margin) {

    static LogitStats of(float[] logits, int rows, int width) {
        int[] argmax = new int[rows];
        float[] max = new float[rows];
        float[] margin = new float[rows];
        for (int r = 0; r < rows; r++) {
            int best = 0;
            float first = Float.NEGATIVE_INFINITY;
            float second = Float.NEGATIVE_INFINITY;
            for (int v = 0; v < width; v++) {
                float x = logits[r * width + v];
                if (x > first) {
                    second = first;
                    first = x;
                    best = v;
                } else if (x > second) {
                    second = x;
                }
            }
            argmax[r] = best;
            max[r] = first;
            margin[r] = first - second;
        }
        return new LogitStats(argmax, max, margin);
    }
}
