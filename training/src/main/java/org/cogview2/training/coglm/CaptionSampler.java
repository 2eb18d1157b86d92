package org.cogview2.training.coglm;

import org.cogview2.dataset.ManifestEntry;

import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;

/**
 * Which caption of a data-set pair a training sequence uses: the English or the Chinese label most of the time (what
 * users type and what the evaluation prompts with), now and then one to three of the pair's tags in the same
 * language, so that the model also hears the words a label does not contain.
 */
public final class CaptionSampler {

    /** Share of label captions; the rest are tag captions (when the pair has tags). */
    static final double LABEL_SHARE = 0.8;

    private CaptionSampler() {
    }

    /** A caption for {@code e}; English and Chinese equally often. */
    public static String caption(ManifestEntry e, SplittableRandom random) {
        boolean english = random.nextBoolean();
        String label = english ? e.captionEn() : e.captionZh();
        List<String> tags = english ? e.tagsEn() : e.tagsZh();
        if (random.nextDouble() < LABEL_SHARE || tags.isEmpty()) {
            return label;
        }
        List<String> pool = new ArrayList<>(tags);
        int count = 1 + random.nextInt(Math.min(3, pool.size()));
        List<String> chosen = new ArrayList<>();
        for (int i = 0; i < count; i++) {
            chosen.add(pool.remove(random.nextInt(pool.size())));
        }
        return String.join(english ? " " : "，", chosen);
    }
}
