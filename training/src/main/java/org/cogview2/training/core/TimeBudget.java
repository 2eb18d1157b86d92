package org.cogview2.training.core;

import java.time.Duration;

/**
 * Decides, before each step, whether the run can afford it: the step, the evaluation it may trigger and the
 * final checkpoint (state, export, chart) must all fit in what is left, with a safety factor, so that the state
 * is on disk before the budget ends. Durations are learnt as the run goes (a moving average of steps, the last
 * checkpoint and evaluation); before the first checkpoint its cost is estimated from a warm-up checkpoint of
 * nothing (the fixed cost) and the bytes to write at an assumed slow-disk speed.
 */
final class TimeBudget {

    /** Allowance for variation: a step or checkpoint may take this much longer than the estimate. */
    private static final double SAFETY = 1.5;
    /** Write speed assumed for the first checkpoint (a slow disk): bytes per second. */
    private static final double ASSUMED_BYTES_PER_SECOND = 100e6;
    private static final long FIXED_CHECKPOINT_NANOS = 50_000_000L;

    private final long budgetNanos;
    private final long startNanos;
    private double stepNanos;
    private double checkpointNanos;
    private double evalNanos;

    /**
     * @param budget          null: unlimited
     * @param startNanos      {@link System#nanoTime()} when the run started
     * @param checkpointBytes bytes a checkpoint writes (state and export), for the first estimate
     * @param fixedNanos      measured cost of a checkpoint of nothing (0: unknown, a default is assumed)
     */
    TimeBudget(Duration budget, long startNanos, long checkpointBytes, long fixedNanos) {
        this.budgetNanos = budget == null ? Long.MAX_VALUE : budget.toNanos();
        this.startNanos = startNanos;
        this.checkpointNanos = Math.max(fixedNanos, FIXED_CHECKPOINT_NANOS)
                + checkpointBytes / ASSUMED_BYTES_PER_SECOND * 1e9;
    }

    boolean limited() {
        return budgetNanos != Long.MAX_VALUE;
    }

    void recordStep(long nanos) {
        stepNanos = stepNanos == 0 ? nanos : 0.8 * stepNanos + 0.2 * nanos;
    }

    void recordCheckpoint(long nanos) {
        checkpointNanos = nanos;
    }

    void recordEvaluation(long nanos) {
        evalNanos = nanos;
    }

    /** Whether one more step (with an evaluation if {@code withEvaluation}) and a checkpoint still fit. */
    boolean allowsStep(boolean withEvaluation) {
        if (!limited()) {
            return true;
        }
        double need = SAFETY * (stepNanos + (withEvaluation ? evalNanos : 0) + checkpointNanos);
        return elapsedNanos() + need <= budgetNanos;
    }

    long elapsedNanos() {
        return System.nanoTime() - startNanos;
    }
}
