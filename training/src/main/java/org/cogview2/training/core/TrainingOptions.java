package org.cogview2.training.core;

import java.nio.file.Path;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;

/**
 * How to train: length and schedule, AdamW's hyper-parameters, clipping, seeding, and where and how often to
 * checkpoint, log and evaluate. Build with {@link #builder()}; every field has a default but {@code outDir}.
 *
 * @param steps                   planned number of updates: the schedule's length, whatever the time budget
 * @param timeBudget              wall-clock time this run may take, from the call to {@link Trainer#run}
 *                                (checkpoint included), or null for none; a fresh JVM spends about a second
 *                                loading the checkpoint and chart code, so budgets below that are overrun
 * @param learningRate            peak learning rate (after warm-up)
 * @param warmupSteps             linear warm-up length
 * @param minLearningRateFraction the cosine's end value as a fraction of {@code learningRate}
 * @param weightDecay             AdamW's decoupled weight decay, for parameters registered with decay
 * @param beta1                   first-moment decay
 * @param beta2                   second-moment decay
 * @param eps                     AdamW's denominator epsilon
 * @param clipNorm                clip gradients to this global L2 norm (0: no clipping)
 * @param seed                    seed of everything random: batches, libtorch's generator
 * @param checkpointEvery         save the training state every that many steps (0: only at the end)
 * @param logEvery                append a line to the JSONL log every that many steps
 * @param evalEvery               call {@link TrainingTask#evaluate} every that many steps and at the last (0: never)
 * @param outDir                  where the model (released format), {@code train-log.jsonl} and {@code loss.png} go
 * @param stateDir                where training states go (default {@code outDir/state})
 * @param resume                  continue from the latest state in {@code stateDir} (an error if there is none)
 * @param threads                 libtorch intra-op threads (0: {@code ai.djl.pytorch.num_threads} or all
 *                                processors); the same count is needed for bit-identical reruns
 * @param keepStates              how many training states to keep (the latest ones)
 * @param showProgress            draw a progress bar on standard error
 * @param handleShutdown          on Ctrl-C or JVM shutdown, finish the step, save the state and export first
 */
public record TrainingOptions(long steps, Duration timeBudget, double learningRate, long warmupSteps,
                              double minLearningRateFraction, double weightDecay, double beta1, double beta2,
                              double eps, double clipNorm, long seed, long checkpointEvery, long logEvery,
                              long evalEvery, Path outDir, Path stateDir, boolean resume, int threads,
                              int keepStates, boolean showProgress, boolean handleShutdown) {

    public TrainingOptions {
        Objects.requireNonNull(outDir, "outDir");
        if (stateDir == null) {
            stateDir = outDir.resolve("state");
        }
        require(steps > 0, "steps must be > 0, got " + steps);
        require(timeBudget == null || (!timeBudget.isNegative() && !timeBudget.isZero()),
                "the time budget must be positive, got " + timeBudget);
        require(learningRate >= 0 && Double.isFinite(learningRate), "learningRate must be finite and >= 0");
        require(warmupSteps >= 0 && warmupSteps <= steps, "warmupSteps must be in [0, steps], got " + warmupSteps);
        require(minLearningRateFraction >= 0 && minLearningRateFraction <= 1,
                "minLearningRateFraction must be in [0, 1], got " + minLearningRateFraction);
        require(weightDecay >= 0 && Double.isFinite(weightDecay), "weightDecay must be finite and >= 0");
        require(beta1 >= 0 && beta1 < 1, "beta1 must be in [0, 1), got " + beta1);
        require(beta2 >= 0 && beta2 < 1, "beta2 must be in [0, 1), got " + beta2);
        require(eps > 0 && Double.isFinite(eps), "eps must be finite and > 0, got " + eps);
        require(clipNorm >= 0 && Double.isFinite(clipNorm), "clipNorm must be finite and >= 0 (0: off)");
        require(checkpointEvery >= 0, "checkpointEvery must be >= 0 (0: only at the end)");
        require(logEvery >= 1, "logEvery must be >= 1, got " + logEvery);
        require(evalEvery >= 0, "evalEvery must be >= 0 (0: never)");
        require(threads >= 0, "threads must be >= 0 (0: default)");
        require(keepStates >= 1, "keepStates must be >= 1, got " + keepStates);
    }

    private static void require(boolean ok, String message) {
        if (!ok) {
            throw new IllegalArgumentException(message);
        }
    }

    /** The schedule these options describe. */
    public LearningRateSchedule schedule() {
        return new LearningRateSchedule(learningRate, warmupSteps, steps, minLearningRateFraction);
    }

    /** Options with defaults; set at least {@link Builder#outDir}. */
    public static Builder builder() {
        return new Builder();
    }

    /** A builder holding these options, to change some. */
    public Builder toBuilder() {
        return new Builder().steps(steps).timeBudget(timeBudget).learningRate(learningRate).warmupSteps(warmupSteps)
                .minLearningRateFraction(minLearningRateFraction).weightDecay(weightDecay).beta1(beta1).beta2(beta2)
                .eps(eps).clipNorm(clipNorm).seed(seed).checkpointEvery(checkpointEvery).logEvery(logEvery)
                .evalEvery(evalEvery).outDir(outDir).stateDir(stateDir).resume(resume).threads(threads)
                .keepStates(keepStates).showProgress(showProgress).handleShutdown(handleShutdown);
    }

    /** The options as JSON-friendly values (snake_case keys), as saved in {@code state.json}. */
    public Map<String, Object> describe() {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("steps", steps);
        m.put("time_budget", timeBudget == null ? null : timeBudget.toString());
        m.put("learning_rate", learningRate);
        m.put("warmup_steps", warmupSteps);
        m.put("min_learning_rate_fraction", minLearningRateFraction);
        m.put("weight_decay", weightDecay);
        m.put("beta1", beta1);
        m.put("beta2", beta2);
        m.put("eps", eps);
        m.put("clip_norm", clipNorm);
        m.put("seed", seed);
        m.put("checkpoint_every", checkpointEvery);
        m.put("log_every", logEvery);
        m.put("eval_every", evalEvery);
        m.put("out_dir", outDir.toString());
        m.put("state_dir", stateDir.toString());
        m.put("threads", threads);
        return m;
    }

    /** Mutable builder of {@link TrainingOptions}, preset with the defaults. */
    public static final class Builder {
        private long steps = 1000;
        private Duration timeBudget;
        private double learningRate = 1e-3;
        private long warmupSteps;
        private double minLearningRateFraction = 0.1;
        private double weightDecay = 0.01;
        private double beta1 = 0.9;
        private double beta2 = 0.999;
        private double eps = 1e-8;
        private double clipNorm = 1.0;
        private long seed = 42;
        private long checkpointEvery = 1000;
        private long logEvery = 10;
        private long evalEvery;
        private Path outDir;
        private Path stateDir;
        private boolean resume;
        private int threads;
        private int keepStates = 2;
        private boolean showProgress = true;
        private boolean handleShutdown = true;

        private Builder() {
        }

        public Builder steps(long v) { steps = v; return this; }

        /** Null: no budget. */
        public Builder timeBudget(Duration v) { timeBudget = v; return this; }

        /** A budget in {@link DurationParser} syntax ({@code 2h}, {@code 1h30m}); null or blank: none. */
        public Builder timeBudget(String v) {
            timeBudget = v == null || v.isBlank() ? null : DurationParser.parse(v);
            return this;
        }

        public Builder learningRate(double v) { learningRate = v; return this; }

        public Builder warmupSteps(long v) { warmupSteps = v; return this; }

        public Builder minLearningRateFraction(double v) { minLearningRateFraction = v; return this; }

        public Builder weightDecay(double v) { weightDecay = v; return this; }

        public Builder beta1(double v) { beta1 = v; return this; }

        public Builder beta2(double v) { beta2 = v; return this; }

        public Builder eps(double v) { eps = v; return this; }

        public Builder clipNorm(double v) { clipNorm = v; return this; }

        public Builder seed(long v) { seed = v; return this; }

        public Builder checkpointEvery(long v) { checkpointEvery = v; return this; }

        public Builder logEvery(long v) { logEvery = v; return this; }

        public Builder evalEvery(long v) { evalEvery = v; return this; }

        public Builder outDir(Path v) { outDir = v; return this; }

        /** Null: {@code outDir/state}. */
        public Builder stateDir(Path v) { stateDir = v; return this; }

        public Builder resume(boolean v) { resume = v; return this; }

        public Builder threads(int v) { threads = v; return this; }

        public Builder keepStates(int v) { keepStates = v; return this; }

        public Builder showProgress(boolean v) { showProgress = v; return this; }

        public Builder handleShutdown(boolean v) { handleShutdown = v; return this; }

        /**
         * The options.
         *
         * @throws IllegalArgumentException naming the first invalid value
         * @throws NullPointerException     if {@code outDir} was not set
         */
        public TrainingOptions build() {
            return new TrainingOptions(steps, timeBudget, learningRate, warmupSteps, minLearningRateFraction,
                    weightDecay, beta1, beta2, eps, clipNorm, seed, checkpointEvery, logEvery, evalEvery, outDir,
                    stateDir, resume, threads, keepStates, showProgress, handleShutdown);
        }
    }
}
