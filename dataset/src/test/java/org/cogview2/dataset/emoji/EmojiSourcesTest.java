package org.cogview2.dataset.emoji;

import org.cogview2.dataset.npm.NpmPackage;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class EmojiSourcesTest {

    @Test
    void every_style_has_a_pinned_permissive_source() {
        for (String style : EmojiSources.STYLES) {
            SourceCredit credit = EmojiSources.creditOf(style);
            assertEquals(style, credit.style());
            assertTrue(credit.pkg().integrity().startsWith("sha512-"));
            assertTrue(credit.contentLicense().matches("MIT|Apache-2.0|CC-BY-4.0"), credit.contentLicense());
        }
        assertEquals("CC-BY-4.0", EmojiSources.creditOf(EmojiSources.TWEMOJI).contentLicense());
        assertEquals("Apache-2.0", EmojiSources.ICONIFY_NOTO.license());
        assertEquals("emojibase-data-17.0.0.tgz", EmojiSources.EMOJIBASE_DATA.tarballFileName());
        assertEquals("iconify-json-fluent-emoji-flat-1.2.6.tgz", EmojiSources.ICONIFY_FLUENT_FLAT.tarballFileName());
    }

    @Test
    void an_unknown_style_is_refused_with_the_known_ones() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> EmojiSources.creditOf("openmoji"));
        assertTrue(e.getMessage().contains("twemoji, noto, fluent-flat"), e.getMessage());
    }

    @Test
    void share_alike_and_non_commercial_content_is_refused() {
        NpmPackage openmoji = new NpmPackage("openmoji", "15.0.0", TinyEmojiSet.FAKE_PACKAGE.integrity(), "CC-BY-SA-4.0");
        assertThrows(IllegalArgumentException.class, () -> new SourceCredit(openmoji, "pictures", "openmoji", "CC-BY-SA-4.0", "c", "u"));
        assertThrows(IllegalArgumentException.class, () -> new SourceCredit(openmoji, "pictures", "x", "CC-BY-NC-4.0", "c", "u"));
    }
}
