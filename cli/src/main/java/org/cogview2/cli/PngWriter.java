package org.cogview2.cli;

import org.cogview2.api.RgbImage;

import javax.imageio.IIOImage;
import javax.imageio.ImageIO;
import javax.imageio.ImageTypeSpecifier;
import javax.imageio.ImageWriter;
import javax.imageio.metadata.IIOMetadata;
import javax.imageio.metadata.IIOMetadataNode;
import javax.imageio.stream.ImageOutputStream;
import java.awt.image.BufferedImage;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

/** Writes PNG files with text metadata (tEXt chunks), and grids of pictures. */
final class PngWriter {

    private PngWriter() {
    }

    static void write(BufferedImage image, Path file, Map<String, String> text) {
        try {
            Path parent = file.toAbsolutePath().getParent();
            if (parent != null) {
                Files.createDirectories(parent);
            }
            ImageWriter writer = ImageIO.getImageWritersByFormatName("png").next();
            ImageTypeSpecifier type = ImageTypeSpecifier.createFromRenderedImage(image);
            IIOMetadata metadata = writer.getDefaultImageMetadata(type, writer.getDefaultWriteParam());
            String format = "javax_imageio_png_1.0";
            IIOMetadataNode root = new IIOMetadataNode(format);
            IIOMetadataNode chunk = new IIOMetadataNode("tEXt");
            text.forEach((key, value) -> {
                IIOMetadataNode entry = new IIOMetadataNode("tEXtEntry");
                entry.setAttribute("keyword", key);
                entry.setAttribute("value", latin1(value));
                chunk.appendChild(entry);
            });
            root.appendChild(chunk);
            metadata.mergeTree(format, root);
            Files.deleteIfExists(file);
            try (ImageOutputStream out = ImageIO.createImageOutputStream(file.toFile())) {
                writer.setOutput(out);
                writer.write(new IIOImage(image, null, metadata));
            } finally {
                writer.dispose();
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write " + file + ": " + e.getMessage(), e);
        }
    }

    /** tEXt is Latin-1: other characters are written as \\uXXXX escapes. */
    private static String latin1(String s) {
        StringBuilder b = new StringBuilder();
        for (char c : s.toCharArray()) {
            if (c < 256 && c != 0) {
                b.append(c);
            } else {
                b.append(String.format("\\u%04x", (int) c));
            }
        }
        return b.toString();
    }

    /** The text metadata every written picture carries: prompt, seed, backend and models. */
    static Map<String, String> metadata(String prompt, long seed, org.cogview2.api.PipelineInfo info) {
        Map<String, String> meta = new java.util.LinkedHashMap<>();
        meta.put("Prompt", prompt);
        meta.put("Seed", Long.toString(seed));
        meta.put("Backend", info.backend());
        meta.put("Model", info.models() + (info.demoWeights() ? " (built-in emoji demo set)" : ""));
        meta.put("Software", "cogview2-java");
        return meta;
    }

    /**
     * Writes the grid of all pictures to {@code output} and each picture to {@code <stem>-<name>.png} beside it,
     * printing every file written; {@code extra} adds per-picture metadata.
     */
    static void writeAll(Path output, List<RgbImage> pictures, List<String> names, Map<String, String> meta,
                         java.util.function.IntFunction<Map<String, String>> extra, java.io.PrintWriter out) {
        write(grid(pictures, 3), output, meta);
        out.println("wrote " + output);
        String name = output.getFileName().toString();
        int dot = name.lastIndexOf('.');
        String stem = dot > 0 ? name.substring(0, dot) : name;
        for (int i = 0; i < pictures.size(); i++) {
            Map<String, String> one = new java.util.LinkedHashMap<>(meta);
            one.putAll(extra.apply(i));
            Path file = output.resolveSibling(stem + "-" + names.get(i) + ".png");
            write(pictures.get(i).toBufferedImage(), file, one);
            out.println("wrote " + file);
        }
    }

    /** Pictures tiled {@code columns} per row without padding (missing tiles black), as {@code make_grid(nrow=3, padding=0)}. */
    static BufferedImage grid(List<RgbImage> images, int columns) {
        int w = images.getFirst().width();
        int h = images.getFirst().height();
        int cols = Math.min(columns, images.size());
        int rows = (images.size() + columns - 1) / columns;
        BufferedImage out = new BufferedImage(cols * w, rows * h, BufferedImage.TYPE_INT_RGB);
        for (int i = 0; i < images.size(); i++) {
            out.getGraphics().drawImage(images.get(i).toBufferedImage(), (i % columns) * w, (i / columns) * h, null);
        }
        return out;
    }
}
