package org.cogview2.api;

/** The steps of a generation, in the order they run; progress is reported per stage. */
public enum Stage {
    /** CogLM writes 20x20 image tokens. */
    GENERATE("stage 1: CogLM"),
    /** Samples are ranked by the likelihood of the caption given the image. */
    POST_SELECT("post-selection"),
    /** 20x20 tokens become 60x60 tokens in one parallel pass. */
    SUPER_RESOLVE("stage 2: direct super-resolution"),
    /** The 60x60 tokens are refined in six LoPAR iterations. */
    REFINE("stage 3: iterative super-resolution"),
    /** Tokens become pixels. */
    DECODE("decode");

    private final String label;

    Stage(String label) {
        this.label = label;
    }

    /** A short human-readable name. */
    public String label() {
        return label;
    }
}
