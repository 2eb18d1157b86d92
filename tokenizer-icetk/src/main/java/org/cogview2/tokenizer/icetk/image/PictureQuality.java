package org.cogview2.tokenizer.icetk.image;

/**
 * Reconstruction error in 8-bit pixels, as a viewer sees a picture: values (planes in 0..1) are rounded and clamped
 * to 0..255 before they are compared. {@link #psnr} is {@code 10 log10(255^2 / MSE)} over every pixel and channel
 * added, so the mean error is taken first and one perfect picture cannot hide a bad one.
 */
public final class PictureQuality {

    private double squared;
    private long values;

    /** Adds a picture and its reconstruction, both planes {@code [3, H, W]} in 0..1 (not normalised). */
    public void add(float[] original, float[] reconstruction) {
        if (original.length != reconstruction.length) {
            throw new IllegalArgumentException("original has " + original.length + " values, reconstruction " + reconstruction.length);
        }
        squared += squaredError(original, reconstruction);
        values += original.length;
    }

    /** Number of values added. */
    public long values() {
        return values;
    }

    /** PSNR in dB of everything added (99 when identical, NaN when nothing was added). */
    public double psnr() {
        if (values == 0) {
            return Double.NaN;
        }
        double mse = squared / values;
        return mse == 0 ? 99 : 10 * Math.log10(255.0 * 255.0 / mse);
    }

    /** Sum of squared 8-bit differences. */
    public static double squaredError(float[] a, float[] b) {
        double sum = 0;
        for (int i = 0; i < a.length; i++) {
            double d = to8bit(a[i]) - to8bit(b[i]);
            sum += d * d;
        }
        return sum;
    }

    private static int to8bit(float v) {
        return Math.max(0, Math.min(255, Math.round(v * 255f)));
    }
}
