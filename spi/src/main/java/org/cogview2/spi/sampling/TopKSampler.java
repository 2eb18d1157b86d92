package org.cogview2.spi.sampling;

/**
 * The iterative super-resolution strategy (spec 02 §7.2) for one row of fp32 logits: temperature 1; keep the tokens
 * whose logit is at least the k-th largest (ties at the threshold kept); weights {@code (float) exp(x - max)} (exp in
 * double, rounded once) summed in double; {@code inv = (float) (1 / sum)}; {@code w *= inv}; draw
 * ({@link DrawPurpose#TOKEN}). No clusters and no entropy filter: that code is commented out in the official release.
 */
public final class TopKSampler {

    private TopKSampler() {
    }

    /** The token chosen from {@code logits[offset .. offset + n)} keeping the top {@code k}. */
    public static int choose(float[] logits, int offset, int n, int k, Picker picker) {
        float[] row = new float[n];
        System.arraycopy(logits, offset, row, 0, n);
        int[] top = ClusterSampler.topIndices(row, n, k);
        float threshold = row[top[k - 1]];
        float max = row[top[0]];
        float[] weights = new float[n];
        double sum = 0;
        for (int v = 0; v < n; v++) {
            if (row[v] >= threshold) {
                weights[v] = (float) Math.exp(row[v] - max);
                sum += weights[v];
            }
        }
        float inv = (float) (1.0 / sum);
        for (int v = 0; v < n; v++) {
            weights[v] *= inv;
        }
        return picker.pick(DrawPurpose.TOKEN, weights, n);
    }
}
