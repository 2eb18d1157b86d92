package org.cogview2.api;

import java.util.List;

/** Stage 2: direct super-resolution from 20x20 to 60x60 tokens in one parallel pass. */
public interface SuperResolver {

    /** The longest text DSR accepts: 96 level-0 text slots minus one. */
    int MAX_TEXT_IDS = 95;

    /**
     * Super-resolves each 20x20 grid, conditioned on the prompt's text ids (the style template applied, without
     * the final {@code <start_of_image>}).
     *
     * @throws PromptTooLongException if there are more than {@link #MAX_TEXT_IDS} text ids
     */
    List<TokenGrid> superResolve(int[] textIds, List<TokenGrid> lowResolution, DsrSampling sampling, long seed, RunControl control);
}
