package org.cogview2.training.core;

import java.util.Map;

/**
 * What one training step did, handed to {@link Trainer#onStep} listeners after the step's arrays are freed.
 *
 * @param step         completed updates after this step (1-based)
 * @param totalSteps   the planned number of updates
 * @param loss         this step's loss
 * @param learningRate the rate the update used
 * @param gradNorm     the global gradient norm before clipping
 * @param clipScale    the factor the gradients were scaled by (1: not clipped)
 * @param samples      samples in this step's batch
 * @param nanos        wall time of the step, waiting for its batch included
 * @param metrics      the task's metrics, read on logged steps only (else empty)
 * @param eval         evaluation figures, on evaluated steps only (else empty)
 */
public record StepResult(long step, long totalSteps, double loss, double learningRate, double gradNorm,
                         double clipScale, long samples, long nanos, Map<String, Double> metrics,
                         Map<String, Double> eval) {

    public StepResult {
        metrics = Map.copyOf(metrics);
        eval = Map.copyOf(eval);
    }

    StepResult withEval(Map<String, Double> figures) {
        return new StepResult(step, totalSteps, loss, learningRate, gradNorm, clipScale, samples, nanos, metrics, figures);
    }
}
