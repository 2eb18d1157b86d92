package org.cogview2.training.core;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import ai.djl.pytorch.engine.PtNDArray;
import ai.djl.pytorch.jni.JniUtils;

/**
 * The few libtorch calls the loop needs that DJL's engine-neutral API does not offer (or offers wrongly for a
 * training loop). Kept in one place so that the rest of the package reads as plain NDArray code.
 */
@SuppressWarnings("try") // NoGrad is entered for its effect
final class Torch {

    private Torch() {
    }

    /**
     * Copies {@code values} (row-major) into {@code target}'s own memory, in place ({@code index_put_} over the
     * whole tensor), outside autograd.
     *
     * <p>Not {@link NDArray#set(java.nio.Buffer)}: on the PyTorch engine that calls libtorch's {@code set_}, which
     * re-points the tensor at a Java direct buffer instead of copying. The tensor then lives in memory aligned to
     * 16 bytes at best rather than libtorch's 64, and vectorised kernels may round differently depending on the
     * alignment: a resumed run would drift from an uninterrupted one in the last bits, then visibly. Views taken
     * before a {@code set_} also keep the old memory.
     */
    static void copyInto(NDArray target, float[] values) {
        long n = target.size();
        if (values.length != n) {
            throw new IllegalArgumentException(target.getName() + " has shape " + target.getShape() + " (" + n
                    + " values); " + values.length + " values given");
        }
        if (n == 0) {
            return;
        }
        try (NoGrad g = NoGrad.enter(); NDManager scratch = target.getManager().newSubManager()) {
            Shape shape = target.getShape();
            NDArray source = scratch.create(values, shape.dimension() == 0 ? new Shape(1) : shape);
            NDArray into = target;
            if (shape.dimension() == 0) { // index_put_ needs a dimension: a one-element view of the same memory
                into = target.reshape(1);
                into.attach(scratch);
            }
            long[] dims = into.getShape().getShape();
            long[] zeros = new long[dims.length];
            long[] ones = new long[dims.length];
            java.util.Arrays.fill(ones, 1);
            JniUtils.indexSet(pt(into), pt(source), zeros, dims, ones);
        }
    }

    /**
     * The gradient accumulated in {@code parameter}, or null when it has none yet (never used in a backward).
     * Unlike {@link NDArray#getGradient()}, this does not invent zeros; the returned wrapper belongs to the
     * parameter's current manager (the step's, while a step runs).
     */
    static NDArray gradient(NDArray parameter) {
        return JniUtils.getGradient(pt(parameter));
    }

    /**
     * Zeroes the gradient of {@code parameter} in place (libtorch's {@code grad.zero_()}), creating no NDArray.
     * DJL 0.36's {@code PtGradientCollector} does <em>not</em> zero gradients when it is created, and its
     * {@code zeroGradients()} only sees arrays of the system manager and computes {@code g - g} (NaN stays NaN);
     * libtorch accumulates into {@code .grad} on every backward, so the loop zeroes explicitly after each update.
     */
    static void zeroGradient(NDArray parameter) {
        JniUtils.zeroGrad(pt(parameter));
    }

    /** Seeds libtorch's default generator (dropout, {@code randomNormal} and the like). */
    static void manualSeed(long seed) {
        JniUtils.setSeed(seed & Long.MAX_VALUE);
    }

    static PtNDArray pt(NDArray a) {
        if (a instanceof PtNDArray p) {
            return p;
        }
        throw new IllegalArgumentException("the trainer runs on DJL's PyTorch engine; " + a.getName() + " is a "
                + a.getClass().getName());
    }
}
