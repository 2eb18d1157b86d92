package org.cogview2.training.core;

import ai.djl.ndarray.NDArray;

import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;

/**
 * What {@link TrainingTask#forward} returns: the scalar loss to minimise (recorded by autograd) and named scalar
 * metrics to log (read only on logged steps, so they cost nothing otherwise). All arrays belong to the step's
 * manager.
 *
 * @param loss    a one-element fp32 array
 * @param metrics one-element arrays, by name, in the order to log (may be empty)
 */
public record StepOutput(NDArray loss, Map<String, NDArray> metrics) {

    public StepOutput {
        Objects.requireNonNull(loss, "loss");
        Map<String, NDArray> copy = new LinkedHashMap<>();
        if (metrics != null) {
            metrics.forEach((k, v) -> copy.put(Objects.requireNonNull(k, "metric name"),
                    Objects.requireNonNull(v, () -> "metric " + k)));
        }
        metrics = Collections.unmodifiableMap(copy);
    }

    /** A loss without metrics. */
    public static StepOutput of(NDArray loss) {
        return new StepOutput(loss, Map.of());
    }
}
