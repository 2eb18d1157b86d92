package org.cogview2.tokenizer.icetk.image;

/**
 * The resizing icetk and CogView2 apply to pictures, as PyTorch/torchvision of 2022 compute it (spec 01 §2.7,
 * spec 02 §8). Pictures are channel-first planes {@code [3, height, width]}.
 * <ul>
 *   <li>{@link #resizeShorterSide}: torchvision {@code Resize(size)}: shorter side to {@code size}, longer side
 *       {@code int(size * long / short)}, bilinear without antialiasing (torchvision 0.11–0.14 on tensors);</li>
 *   <li>{@link #bilinear}: {@code F.interpolate(mode='bilinear', align_corners=False)} in fp32; uint8 input is
 *       rounded half-to-even back to bytes, as torchvision does;</li>
 *   <li>{@link #nearest}: {@code F.interpolate} default mode: source index {@code min(floor(dst * (in / (float) out)), in - 1)};</li>
 *   <li>{@link #centerCrop}: torchvision {@code CenterCrop(size)}: offsets {@code round((dim - size) / 2)} half-to-even.</li>
 * </ul>
 */
public final class PictureResize {

    private PictureResize() {
    }

    /** Planes {@code [3, height, width]}; {@code bytes} marks 0..255 values held as floats (a uint8 tensor). */
    public record Planes(int width, int height, float[] values, boolean bytes) {
    }

    /**
     * A picture in {@code [0, 1]} as 8-bit planes (values rounded to the nearest multiple of 1/255: exact for pictures
     * read from 8-bit files), as icetk sees a PIL picture.
     */
    public static Planes bytesOf(org.cogview2.api.RgbImage picture) {
        float[] v = picture.planes();
        for (int i = 0; i < v.length; i++) {
            v[i] = Math.max(0, Math.min(255, Math.round(v[i] * 255f)));
        }
        return new Planes(picture.width(), picture.height(), v, true);
    }

    /** Planes as a picture in {@code [0, 1]}: 8-bit planes are divided by 255. */
    public static org.cogview2.api.RgbImage toImage(Planes planes) {
        float[] v = planes.values().clone();
        if (planes.bytes()) {
            for (int i = 0; i < v.length; i++) {
                v[i] /= 255f;
            }
        }
        return org.cogview2.api.RgbImage.ofPlanes(planes.width(), planes.height(), v);
    }

    /** Resize (shorter side) then centre-crop to {@code size x size}. */
    public static Planes resizeAndCrop(Planes image, int size) {
        return centerCrop(resizeShorterSide(image, size), size);
    }

    public static Planes resizeShorterSide(Planes image, int size) {
        int w = image.width();
        int h = image.height();
        if (w <= h) {
            return bilinear(image, size, (int) ((long) size * h / w));
        }
        return bilinear(image, (int) ((long) size * w / h), size);
    }

    public static Planes bilinear(Planes image, int outW, int outH) {
        int w = image.width();
        int h = image.height();
        float[] in = image.values();
        float[] out = new float[3 * outW * outH];
        float scaleH = (float) h / outH;
        float scaleW = (float) w / outW;
        int[] x0 = new int[outW];
        int[] x1 = new int[outW];
        float[] lx = new float[outW];
        for (int x = 0; x < outW; x++) {
            float src = Math.max(scaleW * (x + 0.5f) - 0.5f, 0f);
            x0[x] = (int) src;
            x1[x] = x0[x] + (x0[x] < w - 1 ? 1 : 0);
            lx[x] = src - x0[x];
        }
        for (int y = 0; y < outH; y++) {
            float src = Math.max(scaleH * (y + 0.5f) - 0.5f, 0f);
            int y0 = (int) src;
            int y1 = y0 + (y0 < h - 1 ? 1 : 0);
            float ly = src - y0;
            for (int c = 0; c < 3; c++) {
                int base = c * w * h;
                for (int x = 0; x < outW; x++) {
                    float top = (1f - lx[x]) * in[base + y0 * w + x0[x]] + lx[x] * in[base + y0 * w + x1[x]];
                    float bottom = (1f - lx[x]) * in[base + y1 * w + x0[x]] + lx[x] * in[base + y1 * w + x1[x]];
                    float v = (1f - ly) * top + ly * bottom;
                    out[c * outW * outH + y * outW + x] = image.bytes() ? (float) Math.max(0, Math.min(255, Math.rint(v))) : v;
                }
            }
        }
        return new Planes(outW, outH, out, image.bytes());
    }

    public static Planes nearest(Planes image, int outW, int outH) {
        int w = image.width();
        int h = image.height();
        float[] out = new float[3 * outW * outH];
        int[] sx = nearestIndices(w, outW);
        int[] sy = nearestIndices(h, outH);
        for (int c = 0; c < 3; c++) {
            for (int y = 0; y < outH; y++) {
                for (int x = 0; x < outW; x++) {
                    out[c * outW * outH + y * outW + x] = image.values()[c * w * h + sy[y] * w + sx[x]];
                }
            }
        }
        return new Planes(outW, outH, out, image.bytes());
    }

    /** PyTorch's nearest source indices for resizing {@code in} cells to {@code out}. */
    public static int[] nearestIndices(int in, int out) {
        float scale = (float) in / out;
        int[] idx = new int[out];
        for (int i = 0; i < out; i++) {
            idx[i] = Math.min((int) Math.floor(i * scale), in - 1);
        }
        return idx;
    }

    public static Planes centerCrop(Planes image, int size) {
        if (image.width() < size || image.height() < size) {
            throw new IllegalArgumentException("cannot crop " + image.width() + "x" + image.height() + " to " + size);
        }
        int top = (int) Math.rint((image.height() - size) / 2.0);
        int left = (int) Math.rint((image.width() - size) / 2.0);
        return crop(image, top, left, size, size);
    }

    /** The region of rows {@code [top, top + height)} and columns {@code [left, left + width)}. */
    public static Planes crop(Planes image, int top, int left, int width, int height) {
        float[] out = new float[3 * width * height];
        for (int c = 0; c < 3; c++) {
            for (int y = 0; y < height; y++) {
                System.arraycopy(image.values(), c * image.width() * image.height() + (top + y) * image.width() + left,
                        out, c * width * height + y * width, width);
            }
        }
        return new Planes(width, height, out, image.bytes());
    }
}
