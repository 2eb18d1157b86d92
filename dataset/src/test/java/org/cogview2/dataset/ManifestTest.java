package org.cogview2.dataset;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class ManifestTest {

    @TempDir
    Path dir;

    private static ManifestEntry entry(String id, String split) {
        return new ManifestEntry(id, "1F42F", "twemoji", "tiger face", "老虎头", List.of("tiger", "cat"), List.of("老虎"),
                split, "images/160/" + id + ".png", "images/480/" + id + ".png");
    }

    private static String line(String id) {
        return Manifest.toJson(entry(id, ManifestEntry.TRAIN));
    }

    private DatasetFormatException readFails(String... lines) throws IOException {
        Files.write(dir.resolve(Manifest.FILE_NAME), List.of(lines), StandardCharsets.UTF_8);
        return assertThrows(DatasetFormatException.class, () -> Manifest.read(dir));
    }

    private static void assertMentions(DatasetFormatException e, String... parts) {
        assertTrue(e.getMessage().contains(Manifest.FILE_NAME), "names the file: " + e.getMessage());
        for (String part : parts) {
            assertTrue(e.getMessage().contains(part), "mentions '" + part + "': " + e.getMessage());
        }
    }

    @Test
    void writes_and_reads_back_the_same_entries() {
        List<ManifestEntry> entries = List.of(entry("twemoji/1f42f", ManifestEntry.TRAIN), entry("noto/1f42f", ManifestEntry.HELDOUT));
        Manifest.write(dir, entries);
        assertEquals(entries, Manifest.read(dir));
        assertTrue(Manifest.read(dir).getFirst().isTrain());
    }

    @Test
    void rejects_a_line_that_is_not_json() throws IOException {
        DatasetFormatException e = readFails(line("a/1"), "{\"id\": \"b/2\", oops");
        assertMentions(e, "line 2", "not JSON");
        assertEquals(dir.resolve(Manifest.FILE_NAME), e.file());
    }

    @Test
    void rejects_a_missing_field() throws IOException {
        String withoutCaption = line("a/1").replaceAll("\"caption_zh\":\"[^\"]*\",", "");
        assertMentions(readFails(line("a/0"), withoutCaption), "line 2", "missing field 'caption_zh'");
    }

    @Test
    void rejects_a_field_of_the_wrong_type() throws IOException {
        assertMentions(readFails(line("a/1").replace("\"tags_en\":[\"tiger\",\"cat\"]", "\"tags_en\":\"tiger\"")),
                "line 1", "field 'tags_en'", "array");
    }

    @Test
    void rejects_an_unknown_split() throws IOException {
        assertMentions(readFails(line("a/1").replace("\"split\":\"train\"", "\"split\":\"test\"")),
                "line 1", "field 'split'", "'test'", "'train' or 'heldout'");
    }

    @Test
    void rejects_a_duplicate_id() throws IOException {
        assertMentions(readFails(line("a/1"), line("a/2"), line("a/1")), "line 3", "field 'id'", "duplicate id 'a/1'", "first on line 1");
    }

    @Test
    void rejects_an_absolute_or_escaping_image_path() throws IOException {
        assertMentions(readFails(line("a/1").replace("\"images/480/a/1.png\"", "\"/data/a/1.png\"")),
                "line 1", "field 'image_480'", "inside the data set");
        assertMentions(readFails(line("a/1").replace("\"images/160/a/1.png\"", "\"images/../../etc/a.png\"")),
                "line 1", "field 'image_160'");
        assertMentions(readFails(line("a/1").replace("\"images/160/a/1.png\"", "\"C:/data/a.png\"")),
                "line 1", "field 'image_160'");
    }

    @Test
    void rejects_an_empty_manifest_and_a_missing_one() throws IOException {
        assertMentions(readFails("", "  "), "no entries");
        Files.delete(dir.resolve(Manifest.FILE_NAME));
        assertMentions(assertThrows(DatasetFormatException.class, () -> Manifest.read(dir)), "cannot read");
    }
}
