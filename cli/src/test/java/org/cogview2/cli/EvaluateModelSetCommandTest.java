package org.cogview2.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.cogview2.cli.CommandLineTest.Run;
import org.cogview2.dataset.Manifest;
import org.cogview2.dataset.ManifestEntry;
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

import static org.cogview2.cli.CommandLineTest.run;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * {@code cogview2 evaluate model-set} end to end on the random-weight set and a three-emoji data set: every figure is
 * printed (JSON), one result per prompt, and the contact sheet has a pair of tiles per prompt.
 */
class EvaluateModelSetCommandTest {

    @Test
    void printsEveryFigureAndWritesTheContactSheet(@TempDir Path dir) throws Exception {
        System.setProperty("cogview2.demo.dir", dir.resolve("demo").toString());
        Path data = dir.resolve("data");
        List<ManifestEntry> entries = new ArrayList<>();
        String[][] emoji = {{"1F34E", "red apple", "红苹果"}, {"1F431", "cat face", "猫脸"}, {"1F680", "rocket", "火箭"}};
        for (int i = 0; i < emoji.length; i++) {
            String small = "images/160/t/" + i + ".png";
            String large = "images/480/t/" + i + ".png";
            write(data.resolve(small), 160, i);
            write(data.resolve(large), 480, i);
            entries.add(new ManifestEntry("t/" + i, emoji[i][0], "t", emoji[i][1], emoji[i][2], List.of(), List.of(),
                    i == 0 ? ManifestEntry.TRAIN : ManifestEntry.HELDOUT, small, large));
        }
        Manifest.write(data, entries);
        Path sheet = dir.resolve("sheet.png");
        Run r = run("evaluate", "model-set", "--models", CommandLineTest.randomModels(), "--data", data.toString(),
                "--emoji", "1", "--sr-pictures", "1", "--pairs", "2", "--backend", "cpu-reference", "--json",
                "--sheet", sheet.toString());
        assertEquals(0, r.status(), r.err());
        JsonNode o = new ObjectMapper().readTree(r.out());
        assertEquals(2, o.get("prompts").asInt(), "one emoji, in English and in Chinese");
        assertEquals(3, o.get("data_set_pictures").asInt());
        for (String lang : List.of("en", "zh")) {
            JsonNode l = o.get("prompt_following_" + lang);
            for (String k : List.of("stage1_top1", "stage1_top5", "full_top1", "full_top5")) {
                double v = l.get(k).asDouble();
                assertTrue(v >= 0 && v <= 1, lang + " " + k + " = " + v);
            }
            // With three pictures in the data set, the prompted emoji is always among the five nearest.
            assertEquals(1.0, l.get("full_top5").asDouble(), 0);
        }
        assertTrue(Double.isFinite(o.get("sr_psnr").asDouble()) && Double.isFinite(o.get("bicubic_psnr").asDouble()), r.out());
        assertEquals(2, o.get("post_selection_pairs").asInt());
        assertEquals(2, o.get("results").size());
        assertEquals("red apple", o.get("results").get(0).get("prompt").asText());
        assertEquals("红苹果", o.get("results").get(1).get("prompt").asText());
        BufferedImage s = ImageIO.read(sheet.toFile());
        assertEquals(96 + 12, s.getHeight(), "one row of 96-pixel tiles");
    }

    private static void write(Path file, int side, int i) throws Exception {
        Files.createDirectories(file.getParent());
        BufferedImage b = new BufferedImage(side, side, BufferedImage.TYPE_INT_RGB);
        Graphics2D g = b.createGraphics();
        g.setColor(Color.WHITE);
        g.fillRect(0, 0, side, side);
        g.setColor(new Color(80 * i + 40, 200 - 60 * i, 90));
        g.fillOval(side / 8 + i * side / 16, side / 8, side / 2, 3 * side / 4);
        g.dispose();
        ImageIO.write(b, "png", file.toFile());
    }
}
