package org.cogview2.dataset.emoji;

import java.util.List;
import java.util.Locale;
import java.util.Objects;

/**
 * One emoji with its captions in both languages, joined from emojibase's English and Chinese data by hexcode.
 *
 * @param hexcode emojibase's hexcode ({@code 1F42F}, {@code 0023-FE0F-20E3}): code points in upper-case hex joined by
 *                {@code -}, with leading zeros to four digits
 * @param labelEn English label ("tiger face")
 * @param labelZh Chinese label ("老虎头")
 * @param tagsEn  English tags
 * @param tagsZh  Chinese tags
 */
public record EmojiCaption(String hexcode, String labelEn, String labelZh, List<String> tagsEn, List<String> tagsZh) {

    public EmojiCaption {
        Objects.requireNonNull(hexcode, "hexcode");
        Objects.requireNonNull(labelEn, "labelEn");
        Objects.requireNonNull(labelZh, "labelZh");
        tagsEn = List.copyOf(tagsEn);
        tagsZh = List.copyOf(tagsZh);
    }

    /** The hexcode as used in ids and file names: lower case ({@code 1f42f}, {@code 0023-fe0f-20e3}). */
    public String key() {
        return hexcode.toLowerCase(Locale.ROOT);
    }

    /** The code points, in lower-case hex without leading zeros ({@code [23, fe0f, 20e3]}). */
    public List<String> codePoints() {
        return java.util.Arrays.stream(key().split("-")).map(c -> c.replaceFirst("^0+(?=.)", "")).toList();
    }
}
