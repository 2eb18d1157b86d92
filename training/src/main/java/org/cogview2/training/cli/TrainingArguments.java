package org.cogview2.training.cli;

import org.cogview2.training.core.TrainingOptions;
import picocli.CommandLine.Option;

import java.nio.file.Path;

/** The options every {@code cogview2 train <part>} that runs the training loop shares. */
final class TrainingArguments {

    @Option(names = "--data", required = true, paramLabel = "DIR", description = "Data-set folder (manifest.jsonl), e.g. from 'cogview2 dataset emoji'.")
    Path data;

    @Option(names = "--out", required = true, paramLabel = "DIR", description = "Output folder: the model in its released format, train-log.jsonl, loss.png, and the training state under state/.")
    Path out;

    @Option(names = "--init", paramLabel = "DIR", description = "Start from this model (same architecture): fine-tuning.")
    Path init;

    @Option(names = "--resume", description = "Continue the run whose state is in --out (same schedule, same batches).")
    boolean resume;

    @Option(names = "--steps", paramLabel = "N", description = "Planned updates: the learning-rate schedule's length (default: the part's).")
    Long steps;

    @Option(names = "--time-budget", paramLabel = "T", description = "Stop cleanly (state saved, model written) after this long: 45s, 90m, 2h, 1h30m.")
    String timeBudget;

    @Option(names = "--lr", paramLabel = "RATE", description = "Peak learning rate (default: the part's).")
    Double learningRate;

    @Option(names = "--batch", paramLabel = "N", description = "Samples per step (default: the part's).")
    Integer batch;

    @Option(names = "--seed", defaultValue = "1", paramLabel = "N", description = "Seed of every random choice (default: ${DEFAULT-VALUE}).")
    long seed;

    @Option(names = "--threads", defaultValue = "0", paramLabel = "N", description = "libtorch threads (default: all cores).")
    int threads;

    @Option(names = "--checkpoint-every", paramLabel = "N", description = "Save the training state every N steps (default: the part's).")
    Long checkpointEvery;

    @Option(names = "--log-every", defaultValue = "10", paramLabel = "N", description = "Log a line every N steps (default: ${DEFAULT-VALUE}).")
    long logEvery;

    /** Options with the part's defaults where the user gave none. */
    TrainingOptions options(long defaultSteps, double defaultLearningRate, long warmup, long checkpoint, long evalEvery) {
        TrainingOptions.Builder b = TrainingOptions.builder()
                .steps(steps != null ? steps : defaultSteps)
                .learningRate(learningRate != null ? learningRate : defaultLearningRate)
                .warmupSteps(Math.min(warmup, Math.max(1, (steps != null ? steps : defaultSteps) / 10)))
                .seed(seed)
                .threads(threads)
                .checkpointEvery(checkpointEvery != null ? checkpointEvery : checkpoint)
                .evalEvery(evalEvery)
                .logEvery(logEvery)
                .outDir(out)
                .resume(resume)
                .showProgress(true)
                .handleShutdown(true);
        if (timeBudget != null) {
            b.timeBudget(timeBudget);
        }
        return b.build();
    }
}
