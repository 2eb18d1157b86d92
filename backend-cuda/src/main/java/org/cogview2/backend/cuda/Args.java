package org.cogview2.backend.cuda;

import org.cogview2.spi.DType;
import org.cogview2.spi.Shape;

/**
 * Argument checks shared by the kernels. Every message names the kernel, the argument, what was expected and what
 * was found, e.g. {@code linear: weight must have shape [N, K] with K = 17 (the last dimension of x), got F32[29, 16]}.
 */
final class Args {

    private Args() {
    }

    static IllegalArgumentException fail(String kernel, String message) {
        return new IllegalArgumentException(kernel + ": " + message);
    }

    static void f32(String kernel, String argument, CudaTensor t) {
        if (t.dtype() != DType.F32) {
            throw fail(kernel, argument + " must be F32 (an activation), got " + t.describe());
        }
    }

    static void floating(String kernel, String argument, CudaTensor t) {
        if (!t.dtype().isFloating()) {
            throw fail(kernel, argument + " must be floating (F32, F16 or BF16), got " + t.describe());
        }
    }

    static void i32(String kernel, String argument, CudaTensor t) {
        if (t.dtype() != DType.I32) {
            throw fail(kernel, argument + " must be I32, got " + t.describe());
        }
    }

    static void rank(String kernel, String argument, CudaTensor t, int rank, String layout) {
        if (t.shape().rank() != rank) {
            throw fail(kernel, argument + " must have rank " + rank + " " + layout + ", got " + t.describe());
        }
    }

    static void minRank(String kernel, String argument, CudaTensor t, int rank, String layout) {
        if (t.shape().rank() < rank) {
            throw fail(kernel, argument + " must have rank >= " + rank + " " + layout + ", got " + t.describe());
        }
    }

    static void shape(String kernel, String argument, CudaTensor t, Shape expected, String why) {
        if (!t.shape().equals(expected)) {
            throw fail(kernel, argument + " must have shape " + expected + (why.isEmpty() ? "" : " " + why)
                    + ", got " + t.describe());
        }
    }

    static void positive(String kernel, String argument, long value) {
        if (value <= 0) {
            throw fail(kernel, argument + " must be positive, got " + value);
        }
    }

    /** {@code dim} normalised to {@code [0, rank)}; negative values count from the end. */
    static int axis(String kernel, String argument, int dim, int rank) {
        int axis = dim < 0 ? dim + rank : dim;
        if (axis < 0 || axis >= rank) {
            throw fail(kernel, argument + " " + dim + " is outside the " + rank + " dimensions of the tensor");
        }
        return axis;
    }

    /** Product of dims {@code [from, to)}. */
    static long product(Shape shape, int from, int to) {
        long p = 1;
        for (int i = from; i < to; i++) {
            p *= shape.dim(i);
        }
        return p;
    }
}
