package org.cogview2.cli;

import org.cogview2.api.InvalidInputException;
import org.cogview2.api.RgbImage;

import javax.imageio.ImageIO;
import javax.imageio.ImageReader;
import javax.imageio.stream.ImageInputStream;
import java.awt.image.BufferedImage;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Iterator;

/** Reads a PNG or JPEG picture, refusing what is not a picture or is too large before decoding it. */
final class PictureReader {

    /** Pictures are resized to 480x480; more than 64 megapixels is refused before any pixel is decoded. */
    static final long MAX_PIXELS = 64L * 1024 * 1024;

    private PictureReader() {
    }

    static RgbImage read(Path file) {
        if (!Files.isRegularFile(file)) {
            throw new InvalidInputException("picture " + file + " does not exist or is not a file");
        }
        try (ImageInputStream in = ImageIO.createImageInputStream(file.toFile())) {
            Iterator<ImageReader> readers = in == null ? null : ImageIO.getImageReaders(in);
            if (readers == null || !readers.hasNext()) {
                throw new InvalidInputException(file + " is not a picture this tool can read (PNG, JPEG, GIF, BMP)");
            }
            ImageReader reader = readers.next();
            try {
                reader.setInput(in, true, true);
                long pixels = (long) reader.getWidth(0) * reader.getHeight(0);
                if (pixels > MAX_PIXELS || reader.getWidth(0) <= 0 || reader.getHeight(0) <= 0) {
                    throw new InvalidInputException(file + " is " + reader.getWidth(0) + "x" + reader.getHeight(0)
                            + " pixels; at most " + MAX_PIXELS + " pixels are accepted");
                }
                BufferedImage picture = reader.read(0);
                return RgbImage.fromBufferedImage(picture);
            } finally {
                reader.dispose();
            }
        } catch (IOException e) {
            throw new InvalidInputException(file + " could not be read as a picture: " + e.getMessage(), e);
        }
    }
}
