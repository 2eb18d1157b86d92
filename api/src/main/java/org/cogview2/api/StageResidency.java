package org.cogview2.api;

/**
 * When the weights of the three transformer stages (CogLM, direct and iterative super-resolution) are in memory.
 * The ICE tokenizer (text model and VQ-VAE) stays loaded either way.
 */
public enum StageResidency {

    /**
     * Every stage's weights are loaded when the pipeline opens and kept until it closes: no loading between stages,
     * and concurrent generations use any stage at any time. Needs memory for all three models.
     */
    ALL_STAGES,

    /**
     * A stage's weights are loaded when a generation reaches that stage, after the previous stage's weights are
     * released: the peak is one model's weights (what a small GPU can hold). Generations running at once share the
     * loaded stage; one that needs another stage waits (cancellably) until the loaded one has no users, and stages
     * take turns so none waits forever. Costs a load per stage change.
     */
    ONE_STAGE
}
