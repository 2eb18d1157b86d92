package org.cogview2.cli;

import org.cogview2.api.InvalidInputException;
import org.cogview2.api.RgbImage;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import javax.imageio.ImageIO;
import java.awt.image.BufferedImage;
import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.zip.CRC32;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Pictures given to {@code complete} and {@code tokenize --image}: hostile or unusual files. */
class PictureReaderTest {

    @TempDir
    Path dir;

    private Path png(String name, BufferedImage image) throws Exception {
        Path file = dir.resolve(name);
        ImageIO.write(image, "png", file.toFile());
        return file;
    }

    private static void assertRefused(Path file, String fragment) {
        InvalidInputException e = assertThrows(InvalidInputException.class, () -> PictureReader.read(file));
        assertTrue(e.getMessage().contains(fragment) && e.getMessage().contains(file.getFileName().toString()), e.getMessage());
    }

    @Test
    void a_text_file_or_an_empty_file_is_not_a_picture() throws Exception {
        assertRefused(Files.writeString(dir.resolve("notes.png"), "hello"), "is not a picture");
        assertRefused(Files.write(dir.resolve("empty.jpg"), new byte[0]), "is not a picture");
        assertRefused(dir.resolve("missing.png"), "does not exist");
    }

    @Test
    void truncated_png_and_jpeg_are_refused() throws Exception {
        BufferedImage image = new BufferedImage(64, 64, BufferedImage.TYPE_INT_RGB);
        for (int y = 0; y < 64; y++) {
            for (int x = 0; x < 64; x++) {
                image.setRGB(x, y, (x * 4) << 16 | (y * 4) << 8 | ((x ^ y) & 255));
            }
        }
        for (String format : new String[]{"png", "jpg"}) {
            ByteArrayOutputStream bytes = new ByteArrayOutputStream();
            ImageIO.write(image, format, bytes);
            byte[] all = bytes.toByteArray();
            Path cut = Files.write(dir.resolve("cut." + format), Arrays.copyOf(all, all.length / 3));
            InvalidInputException e = assertThrows(InvalidInputException.class, () -> PictureReader.read(cut), format);
            assertTrue(e.getMessage().contains("cut." + format), e.getMessage());
        }
    }

    @Test
    void a_huge_size_in_the_header_is_refused_before_decoding() throws Exception {
        Path huge = Files.write(dir.resolve("huge.png"), pngHeaderOnly(20000, 20000));
        assertRefused(huge, "20000x20000 pixels");
    }

    @Test
    void tiny_grey_alpha_and_16_bit_pictures_are_converted_to_rgb() throws Exception {
        RgbImage one = PictureReader.read(png("one.png", new BufferedImage(1, 1, BufferedImage.TYPE_INT_RGB)));
        assertEquals(1, one.width());

        BufferedImage grey = new BufferedImage(8, 8, BufferedImage.TYPE_BYTE_GRAY);
        grey.getRaster().setSample(0, 0, 0, 200);
        RgbImage g = PictureReader.read(png("grey.png", grey));
        assertEquals(g.get(0, 0, 0), g.get(1, 0, 0));
        assertEquals(g.get(0, 0, 0), g.get(2, 0, 0));

        BufferedImage alpha = new BufferedImage(4, 4, BufferedImage.TYPE_INT_ARGB);
        alpha.setRGB(0, 0, 0x80FF0000);
        RgbImage a = PictureReader.read(png("alpha.png", alpha));
        assertEquals(1f, a.get(0, 0, 0), 1e-6f);

        BufferedImage deep = new BufferedImage(4, 4, BufferedImage.TYPE_USHORT_GRAY);
        deep.getRaster().setSample(0, 0, 0, 65535);
        RgbImage d = PictureReader.read(png("deep.png", deep));
        assertEquals(1f, d.get(0, 0, 0), 1e-6f);
    }

    /** A PNG signature and IHDR claiming the given size, then an empty IDAT and IEND. */
    private static byte[] pngHeaderOnly(int width, int height) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        out.writeBytes(new byte[]{(byte) 0x89, 'P', 'N', 'G', '\r', '\n', 0x1A, '\n'});
        chunk(out, "IHDR", ByteBuffer.allocate(13).putInt(width).putInt(height).put((byte) 8).put((byte) 2)
                .put((byte) 0).put((byte) 0).put((byte) 0).array());
        chunk(out, "IDAT", new byte[]{0x78, (byte) 0x9C, 0x03, 0x00, 0x00, 0x00, 0x00, 0x01});
        chunk(out, "IEND", new byte[0]);
        return out.toByteArray();
    }

    private static void chunk(ByteArrayOutputStream out, String type, byte[] data) {
        out.writeBytes(ByteBuffer.allocate(4).putInt(data.length).array());
        byte[] typeBytes = type.getBytes(java.nio.charset.StandardCharsets.US_ASCII);
        out.writeBytes(typeBytes);
        out.writeBytes(data);
        CRC32 crc = new CRC32();
        crc.update(typeBytes);
        crc.update(data);
        out.writeBytes(ByteBuffer.allocate(4).putInt((int) crc.getValue()).array());
    }
}
