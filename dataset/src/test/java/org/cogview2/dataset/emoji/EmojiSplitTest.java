package org.cogview2.dataset.emoji;

import org.cogview2.dataset.ManifestEntry;
import org.junit.jupiter.api.Test;

import java.util.HexFormat;
import java.util.stream.IntStream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

class EmojiSplitTest {

    @Test
    void follows_the_documented_rule() throws Exception {
        // Recomputed here from the rule as the README states it, independently of EmojiSplit's code.
        for (String hexcode : new String[]{"1F42F", "1F927", "2764-FE0F", "0023-FE0F-20E3"}) {
            byte[] d = java.security.MessageDigest.getInstance("SHA-256")
                    .digest(("cogview2-emoji-split-v1:" + hexcode).getBytes(java.nio.charset.StandardCharsets.UTF_8));
            long first8 = HexFormat.fromHexDigitsToLong(HexFormat.of().formatHex(d, 0, 8));
            String expected = Long.remainderUnsigned(first8, 100) < 5 ? "heldout" : "train";
            assertEquals(expected, EmojiSplit.of(hexcode), hexcode);
        }
    }

    @Test
    void known_values_do_not_change() {
        assertEquals(48, EmojiSplit.bucket("1F42F"));
        assertEquals(ManifestEntry.TRAIN, EmojiSplit.of("1F42F"));
        assertEquals(ManifestEntry.HELDOUT, EmojiSplit.of("1F927"));
        assertEquals(ManifestEntry.HELDOUT, EmojiSplit.of("1FAE2"));
        assertEquals(ManifestEntry.TRAIN, EmojiSplit.of("2764-FE0F"));
    }

    @Test
    void is_deterministic_and_holds_out_about_five_percent() {
        String[] hexcodes = IntStream.range(0x1F300, 0x1F300 + 4000).mapToObj(i -> Integer.toHexString(i).toUpperCase()).toArray(String[]::new);
        long heldout = java.util.Arrays.stream(hexcodes).filter(h -> EmojiSplit.of(h).equals(ManifestEntry.HELDOUT)).count();
        assertTrue(heldout > 4000 * 0.035 && heldout < 4000 * 0.065, "held out " + heldout + " of 4000");
        for (String h : hexcodes) {
            assertEquals(EmojiSplit.of(h), EmojiSplit.of(new String(h.toCharArray())));
        }
    }
}
