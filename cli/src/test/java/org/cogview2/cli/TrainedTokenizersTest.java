package org.cogview2.cli;

import org.cogview2.api.RgbImage;
import org.cogview2.api.TokenGrid;
import org.cogview2.backend.reference.ReferenceBackend;
import org.cogview2.tokenizer.icetk.IceTokenizer;
import org.cogview2.tokenizer.icetk.image.PictureQuality;
import org.junit.jupiter.api.Test;

import java.awt.Color;
import java.awt.Graphics2D;
import java.awt.RenderingHints;
import java.awt.image.BufferedImage;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.util.HexFormat;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The trained set the repository ships ({@code demo-models}): every checksum holds; the tokenizers open with the SDK's
 * tokenizer, captions round-trip in both languages, and a drawn emoji-like picture comes back recognisably; the whole
 * set opens as the default model set and its CogLM draws an object on a white ground, as the emoji it learned from.
 */
class TrainedTokenizersTest {

    private static final Path DIR = Path.of("").toAbsolutePath().getParent().resolve("demo-models");

    @Test
    void checksumsHold() throws Exception {
        List<String> lines = Files.readAllLines(DIR.resolve("SHA256SUMS"));
        assertTrue(lines.size() >= 7, "the tokenizers, the cluster table and the three SAT folders: " + lines);
        for (String line : lines) {
            String[] parts = line.split("\\s+", 2);
            byte[] digest = MessageDigest.getInstance("SHA-256").digest(Files.readAllBytes(DIR.resolve(parts[1].strip())));
            assertEquals(parts[0], HexFormat.of().formatHex(digest), parts[1]);
        }
    }

    @Test
    void theDefaultSetDrawsAnObjectOnWhite(@org.junit.jupiter.api.io.TempDir Path tmp) {
        System.setProperty("cogview2.demoset.dir", tmp.resolve("emoji-demo").toString());
        try (org.cogview2.api.CogView2Pipeline p = org.cogview2.api.CogView2.open(
                org.cogview2.api.PipelineConfig.demo().withBackend("cpu-reference"))) {
            assertTrue(p.info().demoWeights() && p.info().models().contains("emoji"), p.info().models());
            RgbImage picture = p.generate("red apple", org.cogview2.api.GenerationOptions.builder().seed(3)
                    .firstStageOnly(true).build()).images().get(0).image();
            // The border (a tenth of the side all round) is nearly white, the centre is not: an object on white.
            double border = 0, centre = 0;
            int nb = 0, nc = 0;
            int w = picture.width();
            for (int y = 0; y < w; y++) {
                for (int x = 0; x < w; x++) {
                    double v = (picture.get(0, y, x) + picture.get(1, y, x) + picture.get(2, y, x)) / 3;
                    boolean edge = y < w / 10 || y >= w - w / 10 || x < w / 10 || x >= w - w / 10;
                    boolean middle = Math.abs(y - w / 2) < w / 6 && Math.abs(x - w / 2) < w / 6;
                    if (edge) {
                        border += v;
                        nb++;
                    } else if (middle) {
                        centre += v;
                        nc++;
                    }
                }
            }
            assertTrue(border / nb > 0.85, "the border is white, mean " + border / nb);
            assertTrue(centre / nc < 0.8, "something is drawn in the middle, mean " + centre / nc);
        }
    }

    @Test
    void captionsRoundTripAndAPictureComesBack() {
        try (IceTokenizer t = IceTokenizer.load(DIR.resolve("icetk/ice_text.model"), DIR.resolve("icetk/ice_image.pt"),
                new ReferenceBackend())) {
            for (String caption : List.of("tiger face", "老虎头", "grinning cat with smiling eyes")) {
                int[] ids = t.encode(caption);
                assertTrue(ids.length <= 6, caption + " takes " + ids.length + " pieces");
                assertEquals(caption, t.decode(ids));
            }
            BufferedImage b = new BufferedImage(160, 160, BufferedImage.TYPE_INT_RGB);
            Graphics2D g = b.createGraphics();
            g.setRenderingHint(RenderingHints.KEY_ANTIALIASING, RenderingHints.VALUE_ANTIALIAS_ON);
            g.setColor(Color.WHITE);
            g.fillRect(0, 0, 160, 160);
            g.setColor(new Color(0xFFCC4D));
            g.fillOval(10, 10, 140, 140);
            g.setColor(new Color(0x664500));
            g.fillOval(50, 55, 16, 22);
            g.fillOval(94, 55, 16, 22);
            g.dispose();
            RgbImage picture = RgbImage.fromBufferedImage(b);
            TokenGrid grid = t.encodeImage(picture, 8);
            assertEquals(400, grid.ids().length);
            PictureQuality q = new PictureQuality();
            q.add(picture.planes(), t.decodeImage(grid, 8).planes());
            assertTrue(q.psnr() > 22, "a face drawn in emoji colours comes back at " + q.psnr() + " dB");
        }
    }
}
