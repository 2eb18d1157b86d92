package org.cogview2.training.core;

import ai.djl.ndarray.NDArray;

import java.util.Collection;

/**
 * Clipping by global L2 norm, as {@code torch.nn.utils.clip_grad_norm_}: all gradients are scaled by
 * {@code min(1, maxNorm / (norm + 1e-6))}, where {@code norm} is the L2 norm of all of them together. The
 * scale is handed to {@link AdamW#step} rather than applied to the gradients, which saves a pass over them.
 */
public final class GradientClipping {

    /** PyTorch's guard against dividing by a zero norm. */
    static final double EPSILON = 1e-6;

    private GradientClipping() {
    }

    /**
     * The L2 norm of all {@code gradients} together, {@code sqrt(sum of squares)}: summed on the device, read back
     * once. Temporary arrays belong to the gradients' manager.
     */
    public static double globalNorm(Collection<NDArray> gradients) {
        NDArray total = null;
        for (NDArray g : gradients) {
            NDArray s = g.square().sum();
            total = total == null ? s : total.addi(s);
        }
        return total == null ? 0 : Math.sqrt(total.getFloat());
    }

    /** The factor to multiply the gradients by: 1 when {@code maxNorm} is 0 (off) or not exceeded. */
    public static double scale(double norm, double maxNorm) {
        if (maxNorm <= 0) {
            return 1;
        }
        return Math.min(1, maxNorm / (norm + EPSILON));
    }
}
