package org.cogview2.api;

import java.util.List;

/**
 * Post-selection by inverse prompting: ranks 20x20 samples by how likely CogLM finds the caption given the image.
 */
public interface PostSelector {

    /**
     * Scores each candidate by the mean log-likelihood of {@code captionIds} (the ICE ids of the raw prompt, no
     * style template) after the image and {@code <start_of_chinese>}, and returns them best first.
     */
    List<ScoredSample> rank(List<TokenGrid> candidates, int[] captionIds, RunControl control);
}
