package org.cogview2.tokenizer.icetk.image;

/**
 * icetk's per-channel normalisation of RGB images in {@code [0, 1]} (spec 01 §2.7): encoding feeds
 * {@code (x - mean) / std} to the VQ-VAE, decoding returns {@code out * std + mean} (not clamped).
 */
public final class ImageNormalization {

    public static final float[] MEAN = {0.79093f, 0.76271f, 0.75340f};
    public static final float[] STD = {0.30379f, 0.32279f, 0.32800f};

    private ImageNormalization() {
    }

    /** {@code (x - mean_c) / std_c} for planes {@code [B, 3, H, W]}, in fp32 as torchvision's Normalize. */
    public static float[] normalize(float[] planes, int pixelsPerPlane) {
        float[] out = new float[planes.length];
        for (int i = 0; i < planes.length; i++) {
            int c = (i / pixelsPerPlane) % 3;
            out[i] = (planes[i] - MEAN[c]) / STD[c];
        }
        return out;
    }

    /** {@code x * std_c + mean_c} for planes {@code [B, 3, H, W]}. */
    public static float[] denormalize(float[] planes, int pixelsPerPlane) {
        float[] out = new float[planes.length];
        for (int i = 0; i < planes.length; i++) {
            int c = (i / pixelsPerPlane) % 3;
            out[i] = planes[i] * STD[c] + MEAN[c];
        }
        return out;
    }
}
