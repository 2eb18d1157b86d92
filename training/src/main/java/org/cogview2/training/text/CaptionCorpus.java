package org.cogview2.training.text;

import org.cogview2.api.SpecialToken;
import org.cogview2.api.Style;
import org.cogview2.dataset.ManifestEntry;

import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;

/**
 * The text tokenizer's corpus from a data set: every English and Chinese label and tag once, and the ten style
 * templates around a few labels of each language (so the template pieces are learned where they occur: next to a
 * caption). The special pieces are left out; the tokenizer adds them.
 */
public final class CaptionCorpus {

    private CaptionCorpus() {
    }

    /** Distinct sentences in a fixed order (the manifest's), so that training is reproducible. */
    public static List<String> sentences(List<ManifestEntry> entries) {
        Set<String> out = new LinkedHashSet<>();
        for (ManifestEntry e : entries) {
            out.add(e.captionEn());
            out.add(e.captionZh());
            out.addAll(e.tagsEn());
            out.addAll(e.tagsZh());
        }
        List<ManifestEntry> sample = entries.subList(0, Math.min(entries.size(), 50));
        for (Style style : Style.values()) {
            for (ManifestEntry e : sample) {
                out.add(strip(style.apply(e.captionEn())));
                out.add(strip(style.apply(e.captionZh())));
            }
        }
        out.removeIf(String::isBlank);
        return List.copyOf(out);
    }

    /** English labels (one per emoji), for the pieces-per-caption report. */
    public static List<String> english(List<ManifestEntry> entries) {
        return distinct(entries, true);
    }

    /** Chinese labels (one per emoji). */
    public static List<String> chinese(List<ManifestEntry> entries) {
        return distinct(entries, false);
    }

    private static List<String> distinct(List<ManifestEntry> entries, boolean english) {
        Set<String> out = new LinkedHashSet<>();
        for (ManifestEntry e : entries) {
            out.add(english ? e.captionEn() : e.captionZh());
        }
        return new ArrayList<>(out);
    }

    private static String strip(String text) {
        String out = text;
        for (SpecialToken t : SpecialToken.values()) {
            out = out.replace(t.piece(), "");
        }
        return out.strip();
    }
}
