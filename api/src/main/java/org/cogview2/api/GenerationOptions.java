package org.cogview2.api;

import java.util.Objects;

/**
 * What to generate and how: style, number of samples, seed, sampling overrides, which stages run, post-selection,
 * progress and cancellation. Immutable; build with {@link #builder()}.
 */
public final class GenerationOptions {

    /** The official scripts' default seed. */
    public static final long DEFAULT_SEED = 1234L;

    private final Style style;
    private final boolean styleChosen;
    private final int samples;
    private final long seed;
    private final CoglmSampling stage1;
    private final DsrSampling dsr;
    private final boolean greedy;
    private final boolean firstStageOnly;
    private final boolean postSelect;
    private final RunControl control;

    private GenerationOptions(Builder b) {
        this.style = b.style;
        this.styleChosen = b.styleChosen;
        this.samples = b.samples;
        this.seed = b.seed;
        this.stage1 = b.stage1;
        this.dsr = b.dsr;
        this.greedy = b.greedy;
        this.firstStageOnly = b.firstStageOnly;
        this.postSelect = b.postSelect;
        this.control = new RunControl(b.listener, b.cancellation);
    }

    public static Builder builder() {
        return new Builder();
    }

    /** Defaults: style {@code mainbody}, 1 sample, seed 1234, all stages, no post-selection. */
    public static GenerationOptions defaults() {
        return builder().build();
    }

    public Style style() {
        return style;
    }

    /** Whether the style was chosen with {@link Builder#style}, rather than left at the default. */
    public boolean styleChosen() {
        return styleChosen;
    }

    /**
     * These options with {@code style} in place of the default when no style was chosen: how an operation whose
     * official default differs (text-guided completion uses {@code none}) applies its own.
     */
    public GenerationOptions withDefaultStyle(Style fallback) {
        if (styleChosen || fallback == style) {
            return this;
        }
        Builder b = new Builder();
        b.style = Objects.requireNonNull(fallback, "fallback");
        b.samples = samples;
        b.seed = seed;
        b.stage1 = stage1;
        b.dsr = dsr;
        b.greedy = greedy;
        b.firstStageOnly = firstStageOnly;
        b.postSelect = postSelect;
        b.listener = control.listener();
        b.cancellation = control.cancellation();
        return new GenerationOptions(b);
    }

    public int samples() {
        return samples;
    }

    public long seed() {
        return seed;
    }

    /** Stage-1 sampling: the override if one was set, else the style's recipe (greedy if {@link #greedy()}). */
    public CoglmSampling stage1Sampling() {
        if (greedy) {
            return CoglmSampling.argmax();
        }
        return stage1 != null ? stage1 : style.stage1Sampling();
    }

    /** DSR sampling: the override if one was set, else the style's recipe (mode draws if {@link #greedy()}). */
    public DsrSampling dsrSampling() {
        DsrSampling base = dsr != null ? dsr : style.dsrSampling();
        return greedy ? DsrSampling.greedy(base.topClusters(), base.clusterTemperature()) : base;
    }

    /** Every draw of every stage takes its most likely outcome (for verification; images are not diverse). */
    public boolean greedy() {
        return greedy;
    }

    public boolean firstStageOnly() {
        return firstStageOnly;
    }

    public boolean postSelect() {
        return postSelect;
    }

    public RunControl control() {
        return control;
    }

    public static final class Builder {
        private Style style = Style.MAINBODY;
        private boolean styleChosen;
        private int samples = 1;
        private long seed = DEFAULT_SEED;
        private CoglmSampling stage1;
        private DsrSampling dsr;
        private boolean greedy;
        private boolean firstStageOnly;
        private boolean postSelect;
        private ProgressListener listener = ProgressListener.NONE;
        private CancellationToken cancellation = CancellationToken.create();

        private Builder() {
        }

        public Builder style(Style style) {
            this.style = Objects.requireNonNull(style, "style");
            this.styleChosen = true;
            return this;
        }

        /** Number of images; at least 1. */
        public Builder samples(int samples) {
            if (samples < 1 || samples > 1024) {
                throw new InvalidInputException("the number of samples must be in 1..1024, got " + samples);
            }
            this.samples = samples;
            return this;
        }

        public Builder seed(long seed) {
            this.seed = seed;
            return this;
        }

        /** Overrides the style's stage-1 sampling. */
        public Builder stage1Sampling(CoglmSampling sampling) {
            this.stage1 = sampling;
            return this;
        }

        /** Overrides the style's DSR sampling. */
        public Builder dsrSampling(DsrSampling sampling) {
            this.dsr = sampling;
            return this;
        }

        public Builder greedy(boolean greedy) {
            this.greedy = greedy;
            return this;
        }

        /** Stop after stage 1: 20x20 tokens decoded to 160x160 and resized to 480x480 (nearest). */
        public Builder firstStageOnly(boolean firstStageOnly) {
            this.firstStageOnly = firstStageOnly;
            return this;
        }

        /** Rank samples by inverse prompting and return (and super-resolve) them best first. */
        public Builder postSelect(boolean postSelect) {
            this.postSelect = postSelect;
            return this;
        }

        public Builder listener(ProgressListener listener) {
            this.listener = Objects.requireNonNull(listener, "listener");
            return this;
        }

        public Builder cancellation(CancellationToken cancellation) {
            this.cancellation = Objects.requireNonNull(cancellation, "cancellation");
            return this;
        }

        public GenerationOptions build() {
            return new GenerationOptions(this);
        }
    }
}
