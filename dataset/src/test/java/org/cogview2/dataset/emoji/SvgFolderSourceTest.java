package org.cogview2.dataset.emoji;

import org.cogview2.dataset.DatasetFormatException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class SvgFolderSourceTest {

    @TempDir
    Path dir;

    private static EmojiCaption emoji(String hexcode) {
        return new EmojiCaption(hexcode, "x", "x", List.of(), List.of());
    }

    @Test
    void names_files_the_twemoji_way() {
        assertEquals(List.of("1f42f"), SvgFolderSource.candidates(emoji("1F42F")));
        assertEquals(List.of("23-fe0f-20e3", "23-20e3"), SvgFolderSource.candidates(emoji("0023-FE0F-20E3")));
        assertEquals(List.of("a9-fe0f", "a9"), SvgFolderSource.candidates(emoji("00A9-FE0F")));
        assertEquals(List.of("1f3f3-fe0f-200d-1f308", "1f3f3-200d-1f308"), SvgFolderSource.candidates(emoji("1F3F3-FE0F-200D-1F308")));
    }

    @Test
    void finds_a_file_with_or_without_the_variation_selector() throws IOException {
        Files.writeString(dir.resolve("2764.svg"), "<svg/>");
        Files.writeString(dir.resolve("1f3f3-fe0f-200d-1f308.svg"), "<svg/>");
        Files.writeString(dir.resolve("notes.txt"), "not a picture");
        SvgFolderSource source = new SvgFolderSource("twemoji", dir);
        assertEquals("2764.svg", source.find(emoji("2764-FE0F")).orElseThrow().name());
        assertEquals(dir.resolve("2764.svg"), source.find(emoji("2764-FE0F")).orElseThrow().file());
        assertEquals("<svg/>", source.find(emoji("2764-FE0F")).orElseThrow().document().get());
        assertEquals("1f3f3-fe0f-200d-1f308.svg", source.find(emoji("1F3F3-FE0F-200D-1F308")).orElseThrow().name());
        assertTrue(source.find(emoji("1F42F")).isEmpty());
    }

    @Test
    void a_missing_or_empty_folder_is_a_clear_error() throws IOException {
        DatasetFormatException missing = assertThrows(DatasetFormatException.class, () -> new SvgFolderSource("twemoji", dir.resolve("nope")));
        assertTrue(missing.getMessage().contains("does not exist"), missing.getMessage());
        Files.createDirectories(dir.resolve("empty"));
        DatasetFormatException empty = assertThrows(DatasetFormatException.class, () -> new SvgFolderSource("twemoji", dir.resolve("empty")));
        assertTrue(empty.getMessage().contains("no .svg file"), empty.getMessage());
    }
}
