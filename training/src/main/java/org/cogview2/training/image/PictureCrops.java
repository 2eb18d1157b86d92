package org.cogview2.training.image;

import org.cogview2.dataset.DatasetFormatException;
import org.cogview2.dataset.ManifestEntry;
import org.cogview2.tokenizer.icetk.image.ImageNormalization;

import javax.imageio.ImageIO;
import java.awt.image.BufferedImage;
import java.io.IOException;
import java.nio.file.Path;
import java.util.List;
import java.util.SplittableRandom;

/**
 * Training pictures for the image tokenizer: square crops of a data set's 160 and 480 pictures, normalised as icetk
 * normalises (per-channel mean and standard deviation), planes {@code [3, crop, crop]}. Crops start on multiples of
 * the compress rate, so a crop's code grid is a window of the whole picture's grid, as the tokenizer sees it.
 */
public final class PictureCrops {

    /**
     * A crop must have this share of non-white pixels, else another is drawn (at most {@link #MAX_ATTEMPTS}, then
     * the centre): a blank crop teaches nothing, and its zero-variance GroupNorm groups (one channel per group at
     * width 32) scale the backward pass by {@code 1/sqrt(eps)} per layer until the gradient overflows.
     */
    static final double MIN_INK = 0.05;
    static final int MAX_ATTEMPTS = 8;

    private final Path datasetDir;
    private final List<ManifestEntry> entries;
    private final int crop;
    private final int alignment;

    PictureCrops(Path datasetDir, List<ManifestEntry> entries, int crop, int alignment) {
        if (entries.isEmpty()) {
            throw new IllegalArgumentException("no pictures to train on");
        }
        if (crop % alignment != 0 || crop > 160) {
            throw new IllegalArgumentException("crop " + crop + " must be a multiple of " + alignment + " and at most 160");
        }
        this.datasetDir = datasetDir;
        this.entries = List.copyOf(entries);
        this.crop = crop;
        this.alignment = alignment;
    }

    int crop() {
        return crop;
    }

    /**
     * {@code batch} crops drawn with {@code random}: half from 160 pictures, half from 480 pictures (where the
     * decoder must learn the fine detail a 60x60 grid carries), as one array {@code [batch, 3, crop, crop]}.
     */
    float[] draw(SplittableRandom random, int batch) {
        int plane = crop * crop;
        float[] out = new float[batch * 3 * plane];
        for (int b = 0; b < batch; b++) {
            ManifestEntry e = entries.get(random.nextInt(entries.size()));
            boolean large = (b & 1) == 1;
            Path file = datasetDir.resolve(large ? e.image480() : e.image160());
            BufferedImage picture = read(file, e.id());
            int side = picture.getWidth();
            int slots = (side - crop) / alignment + 1;
            int x0 = (slots / 2) * alignment;
            int y0 = x0;
            for (int attempt = 0; attempt < MAX_ATTEMPTS; attempt++) {
                int x = random.nextInt(slots) * alignment;
                int y = random.nextInt(slots) * alignment;
                if (inkFraction(picture, x, y, crop) >= MIN_INK) {
                    x0 = x;
                    y0 = y;
                    break;
                }
            }
            write(picture, x0, y0, crop, out, b * 3 * plane);
        }
        return out;
    }

    /** Share of pixels of a crop that are not (nearly) white. */
    static double inkFraction(BufferedImage picture, int x0, int y0, int side) {
        int[] rgb = picture.getRGB(x0, y0, side, side, null, 0, side);
        int ink = 0;
        for (int p : rgb) {
            int r = (p >> 16) & 0xff, g = (p >> 8) & 0xff, b = p & 0xff;
            if (r < 245 || g < 245 || b < 245) {
                ink++;
            }
        }
        return (double) ink / rgb.length;
    }

    /** A whole picture, normalised: {@code [3, side, side]}. */
    public static float[] whole(Path file, String id) {
        BufferedImage picture = read(file, id);
        float[] out = new float[3 * picture.getWidth() * picture.getHeight()];
        write(picture, 0, 0, picture.getWidth(), out, 0);
        return out;
    }

    static BufferedImage read(Path file, String id) {
        BufferedImage picture;
        try {
            picture = ImageIO.read(file.toFile());
        } catch (IOException e) {
            throw new DatasetFormatException(file, "picture of '" + id + "' cannot be read: " + e.getMessage(), e);
        }
        if (picture == null) {
            throw new DatasetFormatException(file, "picture of '" + id + "' is not a PNG/JPEG picture");
        }
        if (picture.getWidth() != picture.getHeight()) {
            throw new DatasetFormatException(file, "picture of '" + id + "' is " + picture.getWidth() + "x"
                    + picture.getHeight() + ", expected a square");
        }
        return picture;
    }

    private static void write(BufferedImage picture, int x0, int y0, int side, float[] out, int offset) {
        int plane = side * side;
        int[] rgb = picture.getRGB(x0, y0, side, side, null, 0, side);
        for (int i = 0; i < plane; i++) {
            int p = rgb[i];
            for (int c = 0; c < 3; c++) {
                float v = ((p >> (16 - 8 * c)) & 0xff) / 255f;
                out[offset + c * plane + i] = (v - ImageNormalization.MEAN[c]) / ImageNormalization.STD[c];
            }
        }
    }
}
