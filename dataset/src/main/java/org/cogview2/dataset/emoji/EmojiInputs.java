package org.cogview2.dataset.emoji;

import java.nio.file.Path;
import java.util.List;
import java.util.Objects;

/**
 * Everything a build reads, as local files: emojibase's two data files, the picture sets, and the credits for
 * {@code NOTICE}. {@link EmojiSources#fetch} makes one from the pinned npm packages; tests make one from small files.
 */
public record EmojiInputs(Path emojibaseEn, Path emojibaseZh, List<PictureSource> pictures, List<SourceCredit> credits) {

    public EmojiInputs {
        Objects.requireNonNull(emojibaseEn, "emojibaseEn");
        Objects.requireNonNull(emojibaseZh, "emojibaseZh");
        pictures = List.copyOf(pictures);
        credits = List.copyOf(credits);
        if (pictures.isEmpty()) {
            throw new IllegalArgumentException("no picture set");
        }
        if (pictures.stream().map(PictureSource::style).distinct().count() != pictures.size()) {
            throw new IllegalArgumentException("two picture sets have the same style name");
        }
    }
}
