package org.cogview2.cli;

import org.cogview2.cli.CommandLineTest.Run;
import org.cogview2.dataset.Manifest;
import org.cogview2.dataset.ManifestEntry;
import org.cogview2.models.demo.DemoModels;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import javax.imageio.ImageIO;
import java.awt.Color;
import java.awt.Graphics2D;
import java.awt.image.BufferedImage;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.cogview2.cli.CommandLineTest.run;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** {@code cogview2 evaluate image-tokenizer} on a few generated held-out pictures and the demo set's (random) codec. */
class EvaluateImageTokenizerCommandTest {

    @Test
    void printsPsnrAtBothSizesAndCodeUsageAndWritesTheStrip(@TempDir Path dir) throws Exception {
        System.setProperty("cogview2.demo.dir", dir.resolve("demo").toString());
        Path codec = DemoModels.ensure().resolve("icetk").resolve("ice_image.pt");
        Path data = dir.resolve("data");
        List<ManifestEntry> entries = new ArrayList<>();
        for (int i = 0; i < 3; i++) {
            String small = "images/160/t/" + i + ".png";
            String large = "images/480/t/" + i + ".png";
            write(data.resolve(small), 160, i);
            write(data.resolve(large), 480, i);
            entries.add(new ManifestEntry("t/" + i, "00" + i, "t", "shape", "形状", List.of(), List.of(),
                    i == 0 ? ManifestEntry.TRAIN : ManifestEntry.HELDOUT, small, large));
        }
        Manifest.write(data, entries);
        Path strip = dir.resolve("strip.png");
        Run r = run("evaluate", "image-tokenizer", "--data", data.toString(), "--tokenizer", codec.toString(),
                "--backend", "cpu-reference", "--strip", strip.toString());
        assertEquals(0, r.status(), r.err());
        String text = r.out();
        assertTrue(text.contains("held-out pictures: 2"), "only the held-out pictures are measured: " + text);
        Matcher psnr = Pattern.compile("PSNR 480x480 through 60x60 tokens: (\\d+\\.\\d+) dB").matcher(text);
        assertTrue(psnr.find(), text);
        // Random weights reconstruct nothing: far below a trained tokenizer, but a finite figure.
        assertTrue(Double.parseDouble(psnr.group(1)) < 20, text);
        assertTrue(text.contains("PSNR 160x160 through 20x20 tokens"), text);
        assertTrue(text.matches("(?s).*codes used: \\d+ of 20000.*"), text);
        BufferedImage sheet = ImageIO.read(strip.toFile());
        assertEquals(3 * 244 + 4, sheet.getHeight(), "three rows of 240-pixel cells");
        assertEquals(2 * 244 + 4, sheet.getWidth(), "one column per held-out picture");
    }

    @Test
    void aManifestWithoutHeldOutPicturesIsRefusedByName(@TempDir Path dir) throws Exception {
        Path data = dir.resolve("data");
        Files.createDirectories(data);
        Manifest.write(data, List.of(new ManifestEntry("t/0", "000", "t", "a", "甲", List.of(), List.of(),
                ManifestEntry.TRAIN, "a.png", "b.png")));
        Run r = run("evaluate", "image-tokenizer", "--data", data.toString(), "--tokenizer", dir.resolve("none.pt").toString());
        assertEquals(1, r.status());
        assertTrue(r.err().contains("manifest.jsonl has no held-out pictures"), r.err());
    }

    private static void write(Path file, int side, int i) throws Exception {
        Files.createDirectories(file.getParent());
        BufferedImage b = new BufferedImage(side, side, BufferedImage.TYPE_INT_RGB);
        Graphics2D g = b.createGraphics();
        g.setColor(Color.WHITE);
        g.fillRect(0, 0, side, side);
        g.setColor(new Color(40 * i + 60, 90, 200));
        g.fillOval(side / 8, side / 8, 3 * side / 4, 3 * side / 4);
        g.dispose();
        ImageIO.write(b, "png", file.toFile());
    }
}
