package org.cogview2.training.core;

import java.nio.file.Path;
import java.time.Duration;
import java.util.List;

/**
 * The outcome of {@link Trainer#run}.
 *
 * @param task        the task's name
 * @param startStep   completed updates when the run started (0, or the resumed state's step)
 * @param endStep     completed updates when it stopped
 * @param totalSteps  the planned number of updates
 * @param stopReason  why it stopped
 * @param lastLoss    loss of the last step of this run (NaN if it made none)
 * @param elapsed     wall time of this run
 * @param latestState folder of the state saved last
 * @param logFile     the JSONL log
 * @param lossChart   the loss-curve PNG (absent if it could not be drawn: see {@code warnings})
 * @param warnings    problems that did not stop the run (a chart that could not be drawn)
 */
public record TrainingReport(String task, long startStep, long endStep, long totalSteps, StopReason stopReason,
                             double lastLoss, Duration elapsed, Path latestState, Path logFile, Path lossChart,
                             List<String> warnings) {

    /** Why a run stopped. */
    public enum StopReason {
        /** All planned steps are done. */
        COMPLETED,
        /** The time budget would not allow another step and checkpoint. */
        TIME_BUDGET,
        /** {@link Trainer#requestStop()} was called, or the JVM is shutting down (Ctrl-C). */
        STOP_REQUESTED
    }

    public TrainingReport {
        warnings = List.copyOf(warnings);
    }

    /** Whether all planned steps are done. */
    public boolean completed() {
        return endStep >= totalSteps;
    }
}
