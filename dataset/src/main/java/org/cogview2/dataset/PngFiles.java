package org.cogview2.dataset;

import javax.imageio.ImageIO;
import java.awt.image.BufferedImage;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;

/**
 * PNG files of a data set. Each is written under a temporary name and renamed into place, so a build that is killed
 * leaves either a whole PNG or none, and a re-run can trust any PNG it finds that decodes.
 */
public final class PngFiles {

    static {
        // ImageIO's disk cache would put temporary files under java.io.tmpdir for every write.
        ImageIO.setUseCache(false);
    }

    private PngFiles() {
    }

    /** Writes {@code image} as {@code file} (creating its folder), through a temporary file in the same folder. */
    public static void writeAtomically(BufferedImage image, Path file) {
        Path tmp = file.resolveSibling(file.getFileName() + ".tmp-" + Thread.currentThread().threadId());
        try {
            Files.createDirectories(file.getParent());
            if (!ImageIO.write(image, "png", tmp.toFile())) {
                throw new IllegalStateException("no PNG writer in this JDK");
            }
            Files.move(tmp, file, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write " + file, e);
        } finally {
            try {
                Files.deleteIfExists(tmp);
            } catch (IOException ignored) {
                // Left behind only if the folder became unwritable; the next run overwrites it.
            }
        }
    }

    /** Whether {@code file} exists and decodes as a {@code size} x {@code size} picture. */
    public static boolean isUsable(Path file, int size) {
        if (!Files.isRegularFile(file)) {
            return false;
        }
        try {
            BufferedImage image = ImageIO.read(file.toFile());
            return image != null && image.getWidth() == size && image.getHeight() == size;
        } catch (IOException | RuntimeException e) {
            return false;
        }
    }
}
