package org.cogview2.dataset.emoji;

import org.cogview2.dataset.DatasetFormatException;
import org.cogview2.dataset.SvgPicture;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class IconifySetTest {

    @TempDir
    Path dir;

    private static EmojiCaption emoji(String hexcode, String label) {
        return new EmojiCaption(hexcode, label, "x", List.of(), List.of());
    }

    @Test
    void finds_icons_by_chars_json_then_by_kebab_case_name_then_by_noto_file_name() throws IOException {
        Path icons = TinyEmojiSet.write(dir.resolve("icons.json"), """
                {"width": 128, "height": 128, "icons": {
                   "tiger-icon": {"body": "<g/>"}, "pinata": {"body": "<g/>"}, "twelve-oclock": {"body": "<g/>"},
                   "emoji_u1f680": {"body": "<g/>"}, "flag-antigua-and-barbuda": {"body": "<g/>"}}}
                """);
        Path chars = TinyEmojiSet.write(dir.resolve("chars.json"), "{\"1f42f\": \"tiger-icon\", \"2764\": \"missing-icon\"}");
        IconifySet set = IconifySet.read("noto", icons, chars);
        assertEquals("tiger-icon", set.find(emoji("1F42F", "tiger face")).orElseThrow().name());
        assertEquals("pinata", set.find(emoji("1FA85", "piñata")).orElseThrow().name());
        assertEquals("twelve-oclock", set.find(emoji("1F55B", "twelve o’clock")).orElseThrow().name());
        assertEquals("emoji_u1f680", set.find(emoji("1F680", "rocket")).orElseThrow().name());
        assertEquals("flag-antigua-and-barbuda", set.find(emoji("1F1E6-1F1EC", "flag: Antigua & Barbuda")).orElseThrow().name());
        assertEquals(Optional.empty(), set.find(emoji("2764-FE0F", "red heart")), "chars.json naming an absent icon is no match");
        assertEquals(5, set.size());
    }

    @Test
    void wraps_the_body_into_a_document_with_the_icons_box() throws IOException {
        Path icons = TinyEmojiSet.write(dir.resolve("icons.json"), """
                {"width": 32, "height": 32, "icons": {
                   "a": {"body": "<circle r='1'/>"}, "b": {"body": "<g/>", "height": 33, "left": 1}}}
                """);
        IconifySet set = IconifySet.read("fluent-flat", icons, null);
        SvgPicture a = set.find(emoji("1F170", "a")).orElseThrow();
        assertEquals(icons, a.file());
        assertEquals("<svg xmlns=\"http://www.w3.org/2000/svg\" xmlns:xlink=\"http://www.w3.org/1999/xlink\" viewBox=\"0 0 32 32\">"
                + "<circle r='1'/></svg>", a.document().get());
        assertTrue(set.find(emoji("1F171", "b")).orElseThrow().document().get().contains("viewBox=\"1 0 32 33\""));
    }

    @Test
    void applies_alias_chains_with_their_flips_and_turns() throws IOException {
        Path icons = TinyEmojiSet.write(dir.resolve("icons.json"), """
                {"icons": {"left-hand": {"body": "<g/>", "width": 32, "height": 32}},
                 "aliases": {"right-hand": {"parent": "left-hand", "hFlip": true},
                             "right-hand-turned": {"parent": "right-hand", "rotate": 1}}}
                """);
        IconifySet set = IconifySet.read("fluent-flat", icons, null);
        assertEquals(new IconifyIcon("<g/>", 0, 0, 32, 32, 0, true, false).toSvgDocument(),
                set.find(emoji("1F449", "right hand")).orElseThrow().document().get());
        String flipped = set.find(emoji("1F449", "right hand")).orElseThrow().document().get();
        assertTrue(flipped.contains("<g transform=\"translate(32 0) scale(-1 1)\"><g/></g>"), flipped);
        String turned = set.find(emoji("1F44A", "right hand turned")).orElseThrow().document().get();
        assertTrue(turned.contains("rotate(90 16 16) translate(32 0) scale(-1 1)"), turned);
    }

    @Test
    void default_box_is_16_when_the_set_gives_none() throws IOException {
        Path icons = TinyEmojiSet.write(dir.resolve("icons.json"), "{\"icons\": {\"a\": {\"body\": \"<g/>\"}}}");
        assertTrue(IconifySet.read("s", icons, null).find(emoji("1F170", "a")).orElseThrow().document().get().contains("viewBox=\"0 0 16 16\""));
    }

    private String fails(String json) throws IOException {
        Path icons = TinyEmojiSet.write(dir.resolve("bad-icons.json"), json);
        DatasetFormatException e = assertThrows(DatasetFormatException.class, () -> IconifySet.read("noto", icons, null));
        assertEquals(icons, e.file());
        assertTrue(e.getMessage().contains("bad-icons.json"), e.getMessage());
        return e.getMessage();
    }

    @Test
    void malformed_icon_sets_are_reported_with_file_and_field() throws IOException {
        assertTrue(fails("{\"icons\": {").contains("not JSON"));
        assertTrue(fails("[]").contains("JSON object"));
        assertTrue(fails("{\"prefix\": \"x\"}").contains("field 'icons' must be an object"));
        assertTrue(fails("{\"icons\": {\"tiger-face\": {\"width\": 3}}}").contains("field 'icons.tiger-face.body' must be a string"));
        assertTrue(fails("{\"icons\": {\"tiger-face\": \"<g/>\"}}").contains("field 'icons.tiger-face' must be an object"));
        assertTrue(fails("{\"width\": -1, \"icons\": {}}").contains("field 'width' must be a positive number"));
        assertTrue(fails("{\"icons\": {\"a\": {\"body\": \"\", \"height\": \"big\"}}}").contains("field 'icons.a.height'"));
        assertTrue(fails("{\"icons\": {\"a\": {\"body\": \"\", \"hFlip\": 1}}}").contains("field 'icons.a.hFlip' must be true or false"));
        assertTrue(fails("{\"icons\": {}, \"aliases\": {\"b\": {\"parent\": \"nope\"}}}").contains("field 'aliases.b.parent' names 'nope'"));
        assertTrue(fails("{\"icons\": {}, \"aliases\": {\"b\": {}}}").contains("field 'aliases.b.parent'"));
        assertTrue(fails("{\"icons\": {}, \"aliases\": {\"b\": {\"parent\": \"c\"}, \"c\": {\"parent\": \"b\"}}}").contains("loops"));
    }

    @Test
    void malformed_chars_json_names_the_file_and_field() throws IOException {
        Path icons = TinyEmojiSet.write(dir.resolve("icons.json"), "{\"icons\": {}}");
        Path chars = TinyEmojiSet.write(dir.resolve("chars.json"), "{\"1f42f\": 7}");
        DatasetFormatException e = assertThrows(DatasetFormatException.class, () -> IconifySet.read("noto", icons, chars));
        assertEquals(chars, e.file());
        assertTrue(e.getMessage().contains("field '1f42f'"), e.getMessage());
    }
}
