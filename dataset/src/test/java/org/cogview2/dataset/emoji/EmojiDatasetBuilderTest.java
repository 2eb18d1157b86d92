package org.cogview2.dataset.emoji;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.cogview2.dataset.Manifest;
import org.cogview2.dataset.ManifestEntry;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import javax.imageio.ImageIO;
import java.awt.image.BufferedImage;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

import static org.cogview2.dataset.TestImages.isWhite;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Builds a tiny set from {@link TinyEmojiSet}'s inputs through the same code path as the real build. */
class EmojiDatasetBuilderTest {

    @TempDir
    Path dir;

    private BuildReport build(Path out) throws IOException {
        return new EmojiDatasetBuilder(TinyEmojiSet.inputs(TinyEmojiSet.write(dir.resolve("in"))), out, 2, BuildProgress.SILENT).build();
    }

    @Test
    void builds_pictures_manifest_summary_notice_and_ready_marker() throws IOException {
        Path out = dir.resolve("set");
        BuildReport report = build(out);

        List<ManifestEntry> manifest = Manifest.read(out);
        assertEquals(List.of("twemoji/1f42f", "twemoji/1f927", "twemoji/1f44b", "noto/1f42f", "noto/1f927", "noto/2764-fe0f"),
                manifest.stream().map(ManifestEntry::id).toList());
        ManifestEntry tiger = manifest.getFirst();
        assertEquals(new ManifestEntry("twemoji/1f42f", "1F42F", "twemoji", "tiger face", "老虎头", List.of("animal", "tiger"),
                List.of("老虎", "脸"), "train", "images/160/twemoji/1f42f.png", "images/480/twemoji/1f42f.png"), tiger);
        ManifestEntry heart = manifest.getLast();
        assertEquals("2764-FE0F", heart.emoji());
        assertEquals("红心", heart.captionZh());
        for (ManifestEntry e : manifest) {
            assertEquals(EmojiSplit.of(e.emoji()), e.split(), e.id());
            assertEquals(e.emoji().equals("1F927") ? "heldout" : "train", e.split(), "every style of a held-out emoji is held out");
            assertPicture(out.resolve(e.image160()), 160);
            assertPicture(out.resolve(e.image480()), 480);
        }

        assertEquals(6, report.pairs());
        assertEquals(4, report.trainPairs());
        assertEquals(2, report.heldoutPairs());
        assertEquals(1, report.heldoutEmoji());
        assertEquals(6, report.rendered());
        assertEquals(0, report.reused());
        assertEquals(1, report.failed());

        JsonNode summary = new ObjectMapper().readTree(out.resolve(EmojiDatasetBuilder.SUMMARY_FILE).toFile());
        assertEquals(6, summary.get("pairs").asInt());
        assertEquals(4, summary.get("emoji").asInt());
        JsonNode twemoji = summary.get("styles").get("twemoji");
        assertEquals(3, twemoji.get("pairs").asInt());
        assertEquals("twemoji/2764-fe0f", twemoji.get("render_failed").get(0).get("id").asText());
        assertTrue(twemoji.get("render_failed").get(0).get("reason").asText().contains("not a well-formed SVG"));
        JsonNode noto = summary.get("styles").get("noto");
        assertEquals(1, noto.get("no_picture").asInt());
        assertEquals("1F44B", noto.get("no_picture_hexcodes").get(0).asText());
        JsonNode skipped = summary.get("skipped_captions");
        assertEquals(2, skipped.get(EmojibaseCatalog.SKIN_TONE_VARIANT).asInt());
        assertEquals(1, skipped.get(EmojibaseCatalog.COMPONENT).asInt());
        assertEquals(1, skipped.get(EmojibaseCatalog.REGIONAL_INDICATOR).asInt());
        assertEquals(1, skipped.get(EmojibaseCatalog.NO_ZH_LABEL).asInt());
        assertEquals(2, summary.get("split").get("heldout_pairs").asInt());
        assertEquals("tiny-emoji", summary.get("sources").get(0).get("package").asText());

        String notice = Files.readString(out.resolve(EmojiDatasetBuilder.NOTICE_FILE));
        assertTrue(notice.contains("tiny-emoji@1.0.0") && notice.contains("CC-BY-4.0") && notice.contains("Copyright test pictures"), notice);
        assertTrue(notice.contains("Permission is hereby granted"), "MIT text is included");
        assertTrue(Files.isRegularFile(out.resolve(EmojiDatasetBuilder.READY_FILE)));
        try (var files = Files.walk(out)) {
            assertTrue(files.noneMatch(p -> p.getFileName().toString().contains(".tmp")), "no temporary file left");
        }
    }

    @Test
    void pictures_are_centred_on_white() throws IOException {
        Path out = dir.resolve("set");
        build(out);
        // The Iconify red heart is 32x33: fitted by height, so a thin white band is left at each side.
        BufferedImage heart = ImageIO.read(out.resolve("images/480/noto/2764-fe0f.png").toFile());
        assertTrue(isWhite(heart, 2, 240), "left band");
        assertTrue(isWhite(heart, 477, 240), "right band");
        assertFalse(isWhite(heart, 240, 240));
        assertFalse(isWhite(heart, 240, 130), "the 24x16 path at y 8..24 of 33 covers 480*8/33 ≈ 116 .. 349");
        assertTrue(isWhite(heart, 240, 100));
    }

    @Test
    void a_second_run_reuses_pictures_and_redraws_only_missing_or_broken_ones() throws IOException {
        Path out = dir.resolve("set");
        build(out);
        long tigerTime = Files.getLastModifiedTime(out.resolve("images/480/twemoji/1f42f.png")).toMillis();

        BuildReport again = build(out);
        assertEquals(0, again.rendered());
        assertEquals(6, again.reused());
        assertEquals(6, again.pairs());
        assertEquals(tigerTime, Files.getLastModifiedTime(out.resolve("images/480/twemoji/1f42f.png")).toMillis());

        Files.delete(out.resolve("images/160/noto/1f42f.png"));
        Files.write(out.resolve("images/480/twemoji/1f927.png"), new byte[]{(byte) 0x89, 'P', 'N', 'G'}); // cut short
        Files.delete(out.resolve(EmojiDatasetBuilder.READY_FILE));
        BuildReport third = build(out);
        assertEquals(2, third.rendered());
        assertEquals(4, third.reused());
        assertPicture(out.resolve("images/160/noto/1f42f.png"), 160);
        assertPicture(out.resolve("images/480/twemoji/1f927.png"), 480);
        assertTrue(Files.isRegularFile(out.resolve(EmojiDatasetBuilder.READY_FILE)));
        assertEquals(6, Manifest.read(out).size());
    }

    @Test
    void tells_progress_and_a_summary() throws IOException {
        List<String> messages = new CopyOnWriteArrayList<>();
        List<Integer> done = new CopyOnWriteArrayList<>();
        BuildReport report = new EmojiDatasetBuilder(TinyEmojiSet.inputs(TinyEmojiSet.write(dir.resolve("in"))), dir.resolve("set"), 1,
                new BuildProgress() {
                    @Override
                    public void message(String line) {
                        messages.add(line);
                    }

                    @Override
                    public void pictures(int d, int total) {
                        assertEquals(7, total);
                        done.add(d);
                    }
                }).build();
        assertEquals(List.of(1, 2, 3, 4, 5, 6, 7), done);
        assertTrue(messages.stream().anyMatch(m -> m.contains("noto: 3 pictures, none for 1 emoji")), messages.toString());
        String summary = String.join("\n", report.summaryLines());
        assertTrue(summary.contains("6 pairs of 4 emoji"), summary);
        assertTrue(summary.contains("failed twemoji/2764-fe0f"), summary);
        assertTrue(summary.contains("skin-tone variant 2"), summary);
    }

    private static void assertPicture(Path png, int size) throws IOException {
        BufferedImage image = ImageIO.read(png.toFile());
        assertEquals(size, image.getWidth(), png.toString());
        assertEquals(size, image.getHeight(), png.toString());
        assertFalse(image.getColorModel().hasAlpha(), "opaque: " + png);
        assertTrue(isWhite(image, 0, 0), "white corner: " + png);
        assertFalse(isWhite(image, size / 2, size / 2), "something drawn in the middle: " + png);
    }
}
