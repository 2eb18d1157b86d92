package org.cogview2.tokenizer.icetk.image;

import org.cogview2.api.InvalidInputException;
import org.cogview2.api.RgbImage;
import org.cogview2.api.TokenGrid;
import org.cogview2.spi.Backend;

import java.awt.image.BufferedImage;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * The image half of the ICE tokenizer ({@code icetk.encode(image_...)}, {@code icetk.decode(image_ids=...)}):
 * pictures to square grids of image tokens and back, through the {@link HierarchicalVqVae}.
 */
public final class IceImageTokenizer implements AutoCloseable {

    private final HierarchicalVqVae model;

    public IceImageTokenizer(HierarchicalVqVae model) {
        this.model = model;
    }

    /** Loads {@code ice_image.pt} onto a backend. */
    public static IceImageTokenizer load(Path iceImage, Backend backend) {
        return new IceImageTokenizer(HierarchicalVqVae.load(iceImage, backend));
    }

    public HierarchicalVqVae model() {
        return model;
    }

    /**
     * Tokens of an image already in {@code [0, 1]} ({@code image_torch} input): square, with a side divisible by the
     * compress rate.
     */
    public TokenGrid encode(RgbImage image, int compressRate) {
        int level = HierarchicalVqVae.level(compressRate);
        int side = image.width();
        if (image.height() != side || side % compressRate != 0) {
            throw new InvalidInputException("image tokens need a square picture with a side divisible by " + compressRate
                    + ", got " + image.width() + "x" + image.height() + "; resize it first (see encodePicture)");
        }
        float[] normalized = ImageNormalization.normalize(image.planes(), side * side);
        int[] ids = model.encode(normalized, 1, side, side, level);
        return TokenGrid.of(side / compressRate, ids);
    }

    /**
     * Tokens of an 8-bit picture ({@code image_pil} input): with {@code imageSize > 0} it is first resized (shorter
     * side) and centre-cropped to {@code imageSize x imageSize} as icetk does with torchvision; the bytes are then
     * divided by 255.
     */
    public TokenGrid encodePicture(BufferedImage picture, int imageSize, int compressRate) {
        return encodeBytes(bytes(picture), imageSize, compressRate);
    }

    /** As {@link #encodePicture(BufferedImage, int, int)} for a picture in {@code [0, 1]} read from an 8-bit file. */
    public TokenGrid encodePicture(RgbImage picture, int imageSize, int compressRate) {
        return encodeBytes(PictureResize.bytesOf(picture), imageSize, compressRate);
    }

    private TokenGrid encodeBytes(PictureResize.Planes bytes, int imageSize, int compressRate) {
        PictureResize.Planes sized = imageSize > 0 ? PictureResize.resizeAndCrop(bytes, imageSize) : bytes;
        return encode(PictureResize.toImage(sized), compressRate);
    }

    /**
     * Tokens of an image in {@code [0, 1]} resized (shorter side, bilinear in fp32) and centre-cropped to
     * {@code imageSize} first ({@code image_torch} input with {@code image_size}).
     */
    public TokenGrid encode(RgbImage image, int imageSize, int compressRate) {
        PictureResize.Planes resized = PictureResize.resizeAndCrop(
                new PictureResize.Planes(image.width(), image.height(), image.planes(), false), imageSize);
        return encode(PictureResize.toImage(resized), compressRate);
    }

    /** The picture of a grid: {@code side * compressRate} pixels square, de-normalised, not clamped. */
    public RgbImage decode(TokenGrid grid, int compressRate) {
        return decode(List.of(grid), compressRate).getFirst();
    }

    /** Pictures of grids of the same side, decoded as one batch. */
    public List<RgbImage> decode(List<TokenGrid> grids, int compressRate) {
        if (grids.isEmpty()) {
            return List.of();
        }
        int level = HierarchicalVqVae.level(compressRate);
        int side = grids.getFirst().side();
        int[] ids = new int[grids.size() * side * side];
        for (int b = 0; b < grids.size(); b++) {
            if (grids.get(b).side() != side) {
                throw new InvalidInputException("grids decoded together must have the same side: " + side + " and " + grids.get(b).side());
            }
            System.arraycopy(grids.get(b).ids(), 0, ids, b * side * side, side * side);
        }
        int pixels = side * compressRate;
        float[] planes = ImageNormalization.denormalize(model.decode(ids, grids.size(), side, level), pixels * pixels);
        List<RgbImage> images = new ArrayList<>();
        int per = 3 * pixels * pixels;
        for (int b = 0; b < grids.size(); b++) {
            float[] one = new float[per];
            System.arraycopy(planes, b * per, one, 0, per);
            images.add(RgbImage.ofPlanes(pixels, pixels, one));
        }
        return images;
    }

    /** 8-bit RGB planes of a picture (alpha dropped; grey, indexed and 16-bit pictures converted by {@code getRGB}). */
    public static PictureResize.Planes bytes(BufferedImage picture) {
        return PictureResize.bytesOf(RgbImage.fromBufferedImage(picture));
    }

    @Override
    public void close() {
        model.close();
    }
}
