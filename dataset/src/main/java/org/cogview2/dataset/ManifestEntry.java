package org.cogview2.dataset;

import java.util.List;
import java.util.Objects;

/**
 * One text-image pair of a data set: one line of its {@code manifest.jsonl}.
 *
 * @param id        unique within the set, e.g. {@code twemoji/1f42f} (style + "/" + emoji hexcode)
 * @param emoji     the emoji's hexcode in emojibase's form ({@code 1F42F}); pairs of one emoji share it across styles
 * @param style     the picture set the picture comes from ({@code twemoji}, {@code noto}, {@code fluent-flat})
 * @param captionEn English label (emojibase {@code label}), e.g. "tiger face"
 * @param captionZh Chinese label, e.g. "老虎头"
 * @param tagsEn    English tags (may be empty)
 * @param tagsZh    Chinese tags (may be empty)
 * @param split     {@code train} or {@code heldout}
 * @param image160  path of the 160x160 PNG, relative to the manifest's folder
 * @param image480  path of the 480x480 PNG, relative to the manifest's folder
 */
public record ManifestEntry(String id, String emoji, String style, String captionEn, String captionZh,
                            List<String> tagsEn, List<String> tagsZh, String split, String image160, String image480) {

    /** The split value of training pairs. */
    public static final String TRAIN = "train";
    /** The split value of held-out pairs. */
    public static final String HELDOUT = "heldout";

    public ManifestEntry {
        Objects.requireNonNull(id, "id");
        Objects.requireNonNull(emoji, "emoji");
        Objects.requireNonNull(style, "style");
        Objects.requireNonNull(captionEn, "captionEn");
        Objects.requireNonNull(captionZh, "captionZh");
        tagsEn = List.copyOf(tagsEn);
        tagsZh = List.copyOf(tagsZh);
        Objects.requireNonNull(split, "split");
        Objects.requireNonNull(image160, "image160");
        Objects.requireNonNull(image480, "image480");
    }

    /** Whether the pair is in the training split. */
    public boolean isTrain() {
        return TRAIN.equals(split);
    }
}
