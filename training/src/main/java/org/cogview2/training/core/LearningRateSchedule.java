package org.cogview2.training.core;

/**
 * Linear warm-up then cosine decay, over the run's planned length: the learning rate of update {@code t}
 * (0-based) is {@code peak * (t + 1) / warmupSteps} while {@code t < warmupSteps} (so the first update is not
 * wasted at zero), then falls along half a cosine from {@code peak} to {@code peak * minFraction}, reached at
 * {@code t = totalSteps} and kept beyond.
 *
 * <p>The schedule depends on the planned total only, never on a time budget, so that a run resumed across
 * several budgets follows one curve.
 *
 * @param peak        the learning rate after warm-up
 * @param warmupSteps length of the warm-up (0: none)
 * @param totalSteps  the planned number of updates
 * @param minFraction the final rate as a fraction of {@code peak}, in [0, 1]
 */
public record LearningRateSchedule(double peak, long warmupSteps, long totalSteps, double minFraction) {

    public LearningRateSchedule {
        if (!(peak >= 0) || Double.isInfinite(peak)) {
            throw new IllegalArgumentException("the learning rate must be finite and >= 0, got " + peak);
        }
        if (totalSteps <= 0 || warmupSteps < 0 || warmupSteps > totalSteps) {
            throw new IllegalArgumentException("need 0 <= warmupSteps <= totalSteps and totalSteps > 0, got "
                    + warmupSteps + " and " + totalSteps);
        }
        if (!(minFraction >= 0 && minFraction <= 1)) {
            throw new IllegalArgumentException("minFraction must be in [0, 1], got " + minFraction);
        }
    }

    /** The learning rate of update {@code step} (0-based). */
    public double at(long step) {
        if (step < 0) {
            throw new IllegalArgumentException("negative step " + step);
        }
        if (step < warmupSteps) {
            return peak * (step + 1) / warmupSteps;
        }
        double floor = peak * minFraction;
        long decay = totalSteps - warmupSteps;
        double progress = decay == 0 ? 1 : Math.min(1, (double) (step - warmupSteps) / decay);
        return floor + (peak - floor) * 0.5 * (1 + Math.cos(Math.PI * progress));
    }
}
