package org.cogview2.models.sampling;

/** fp32 softmax on the host, as the official strategies compute it after moving logits to fp32. */
final class Softmax {

    private Softmax() {
    }

    /** {@code out[i] = exp(x[i] - max) / sum}, over {@code x[0 .. n)}. */
    static void apply(float[] x, int n, float[] out) {
        float max = Float.NEGATIVE_INFINITY;
        for (int i = 0; i < n; i++) {
            max = Math.max(max, x[i]);
        }
        double sum = 0;
        for (int i = 0; i < n; i++) {
            float e = (float) Math.exp(x[i] - max);
            out[i] = e;
            sum += e;
        }
        float inv = (float) (1.0 / sum);
        for (int i = 0; i < n; i++) {
            out[i] *= inv;
        }
    }
}
