package org.cogview2.models.coglm;

/** Sees every stage-1 step: the logits the chooser received and the tokens it chose (tests, traces). */
@FunctionalInterface
public interface StepObserver {

    StepObserver NONE = (step, logits, rows, chosen) -> { };

    /**
     * @param logits {@code [rows, 20000]} image logits of the step ({@code rows} is 1 for the shared prefill step)
     * @param chosen the token chosen for each sample of the batch
     */
    void onStep(int step, float[] logits, int rows, int[] chosen);
}
