package org.cogview2.dataset.emoji;

import org.cogview2.dataset.DatasetFormatException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class EmojibaseCatalogTest {

    @TempDir
    Path dir;

    @Test
    void joins_english_and_chinese_by_hexcode_and_counts_what_it_leaves_out() throws IOException {
        TinyEmojiSet.Paths p = TinyEmojiSet.write(dir);
        EmojibaseCatalog catalog = EmojibaseCatalog.read(p.en(), p.zh());
        assertEquals(List.of("1F42F", "1F927", "1F44B", "2764-FE0F"), catalog.emoji().stream().map(EmojiCaption::hexcode).toList());
        EmojiCaption tiger = catalog.emoji().getFirst();
        assertEquals(new EmojiCaption("1F42F", "tiger face", "老虎头", List.of("animal", "tiger"), List.of("老虎", "脸")), tiger);
        assertEquals(List.of(), catalog.emoji().get(3).tagsZh(), "missing tags are empty");
        assertEquals(Map.of(EmojibaseCatalog.SKIN_TONE_VARIANT, 2, EmojibaseCatalog.COMPONENT, 1,
                EmojibaseCatalog.REGIONAL_INDICATOR, 1, EmojibaseCatalog.NO_ZH_LABEL, 1), catalog.skipped());
    }

    @Test
    void an_emoji_missing_from_the_chinese_file_is_skipped_for_lack_of_a_label() throws IOException {
        Path en = TinyEmojiSet.write(dir.resolve("en.json"), "[{\"label\": \"tiger face\", \"hexcode\": \"1F42F\", \"group\": 3}]");
        Path zh = TinyEmojiSet.write(dir.resolve("zh.json"), "[]");
        EmojibaseCatalog catalog = EmojibaseCatalog.read(en, zh);
        assertTrue(catalog.emoji().isEmpty());
        assertEquals(Map.of(EmojibaseCatalog.NO_ZH_LABEL, 1), catalog.skipped());
    }

    private DatasetFormatException fails(String en) throws IOException {
        Path enFile = TinyEmojiSet.write(dir.resolve("en-data.json"), en);
        Path zh = TinyEmojiSet.write(dir.resolve("zh-data.json"), "[]");
        DatasetFormatException e = assertThrows(DatasetFormatException.class, () -> EmojibaseCatalog.read(enFile, zh));
        assertEquals(enFile, e.file());
        assertTrue(e.getMessage().contains("en-data.json"), e.getMessage());
        return e;
    }

    @Test
    void malformed_files_are_reported_with_file_entry_and_field() throws IOException {
        assertTrue(fails("[{\"label\": ").getMessage().contains("not JSON"));
        assertTrue(fails("{\"hexcode\": \"1F42F\"}").getMessage().contains("JSON array"));
        String missing = fails("[{\"label\": \"a\", \"hexcode\": \"1F42F\", \"group\": 1}, {\"hexcode\": \"1F600\", \"group\": 0}]").getMessage();
        assertTrue(missing.contains("entry 1") && missing.contains("hexcode 1F600") && missing.contains("field 'label' is missing"), missing);
        String badHex = fails("[{\"label\": \"a\", \"hexcode\": \"tiger\"}]").getMessage();
        assertTrue(badHex.contains("entry 0") && badHex.contains("field 'hexcode'") && badHex.contains("'tiger'"), badHex);
        String badTags = fails("[{\"label\": \"a\", \"hexcode\": \"1F42F\", \"group\": 3, \"tags\": \"cat\"}]").getMessage();
        assertTrue(badTags.contains("field 'tags'") && badTags.contains("array"), badTags);
        String badGroup = fails("[{\"label\": \"a\", \"hexcode\": \"1F42F\", \"group\": \"animals\"}]").getMessage();
        assertTrue(badGroup.contains("field 'group'"), badGroup);
        String notObject = fails("[42]").getMessage();
        assertTrue(notObject.contains("entry 0") && notObject.contains("object"), notObject);
    }
}
