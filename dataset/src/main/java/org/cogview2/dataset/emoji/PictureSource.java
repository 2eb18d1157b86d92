package org.cogview2.dataset.emoji;

import org.cogview2.dataset.SvgPicture;

import java.util.Optional;

/** One emoji picture set (a style): finds the SVG it has for an emoji. */
public interface PictureSource {

    /** The style name used in ids and paths ({@code twemoji}, {@code noto}, {@code fluent-flat}). */
    String style();

    /** This set's picture of the emoji, or empty when it has none. */
    Optional<SvgPicture> find(EmojiCaption emoji);
}
