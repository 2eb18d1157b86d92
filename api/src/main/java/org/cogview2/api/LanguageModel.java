package org.cogview2.api;

import java.util.List;

/** Stage 1: CogLM writes a 20x20 grid of image tokens after a prompt. */
public interface LanguageModel {

    /** The longest prompt CogLM accepts, in ICE ids including the final {@code <start_of_image>}. */
    int MAX_PROMPT_IDS = 110;

    /**
     * Generates {@code count} grids for the ICE ids of a prompt (the style template applied), which must end with
     * {@code <start_of_image>}. The same seed gives the same grids however the work is batched.
     *
     * @throws PromptTooLongException if the ids exceed {@link #MAX_PROMPT_IDS}
     * @throws GenerationCancelledException if the control's token is cancelled
     */
    List<TokenGrid> generate(int[] promptIds, CoglmSampling sampling, int count, long seed, RunControl control);
}
