package org.cogview2.api;

import java.awt.image.BufferedImage;

/**
 * An RGB image as three float planes {@code [3, height, width]} (channel, row, column), nominally in
 * {@code [0, 1]}. Decoded images are not clamped (the VQ-VAE may overshoot); {@link #toBufferedImage()} clamps
 * as the official code does when saving: {@code clamp(floor(255 x + 0.5), 0, 255)}.
 */
public final class RgbImage {

    private final int width;
    private final int height;
    private final float[] planes;

    private RgbImage(int width, int height, float[] planes) {
        this.width = width;
        this.height = height;
        this.planes = planes;
    }

    /** An image from channel-first planes {@code [3, height, width]}. */
    public static RgbImage ofPlanes(int width, int height, float[] planes) {
        if (width <= 0 || height <= 0 || planes.length != 3L * width * height) {
            throw new InvalidInputException("an RGB image of " + width + "x" + height + " needs "
                    + (3L * width * height) + " values, got " + planes.length);
        }
        return new RgbImage(width, height, planes.clone());
    }

    /**
     * Converts a picture to RGB in {@code [0, 1]} ({@code byte / 255}). Alpha is dropped; grey, indexed and 16-bit
     * pictures are converted to 8-bit sRGB by {@link BufferedImage#getRGB}.
     */
    public static RgbImage fromBufferedImage(BufferedImage image) {
        int w = image.getWidth();
        int h = image.getHeight();
        float[] p = new float[3 * w * h];
        int[] row = new int[w];
        for (int y = 0; y < h; y++) {
            image.getRGB(0, y, w, 1, row, 0, w);
            for (int x = 0; x < w; x++) {
                int argb = row[x];
                p[y * w + x] = ((argb >> 16) & 0xFF) / 255f;
                p[w * h + y * w + x] = ((argb >> 8) & 0xFF) / 255f;
                p[2 * w * h + y * w + x] = (argb & 0xFF) / 255f;
            }
        }
        return new RgbImage(w, h, p);
    }

    public int width() {
        return width;
    }

    public int height() {
        return height;
    }

    /** A copy of the planes {@code [3, height, width]}. */
    public float[] planes() {
        return planes.clone();
    }

    /** Value of channel {@code c} at row {@code y}, column {@code x}. */
    public float get(int c, int y, int x) {
        return planes[(c * height + y) * width + x];
    }

    /** An 8-bit RGB picture, each value {@code clamp(floor(255 x + 0.5), 0, 255)}. */
    public BufferedImage toBufferedImage() {
        BufferedImage out = new BufferedImage(width, height, BufferedImage.TYPE_INT_RGB);
        int plane = width * height;
        for (int y = 0; y < height; y++) {
            for (int x = 0; x < width; x++) {
                int i = y * width + x;
                out.setRGB(x, y, (toByte(planes[i]) << 16) | (toByte(planes[plane + i]) << 8) | toByte(planes[2 * plane + i]));
            }
        }
        return out;
    }

    private static int toByte(float v) {
        float scaled = (float) Math.floor(v * 255f + 0.5f);
        if (!(scaled > 0f)) {
            return 0; // also NaN
        }
        return scaled >= 255f ? 255 : (int) scaled;
    }
}
