package org.cogview2.backend.vector;

import org.cogview2.spi.DType;
import org.cogview2.spi.Shape;

/** Argument checks: every message names the kernel, the argument, what was expected and what was found. */
final class Checks {

    private Checks() {
    }

    static IllegalArgumentException fail(String kernel, String message) {
        return new IllegalArgumentException(kernel + ": " + message);
    }

    static void f32(String kernel, String argument, VTensor t) {
        if (t.dtype() != DType.F32) {
            throw fail(kernel, argument + " must be F32 (an activation), got " + t.describe());
        }
    }

    static void floating(String kernel, String argument, VTensor t) {
        if (!t.dtype().isFloating()) {
            throw fail(kernel, argument + " must be floating (F32, F16 or BF16), got " + t.describe());
        }
    }

    static void i32(String kernel, String argument, VTensor t) {
        if (t.dtype() != DType.I32) {
            throw fail(kernel, argument + " must be I32, got " + t.describe());
        }
    }

    static void rank(String kernel, String argument, VTensor t, int rank, String layout) {
        if (t.shape().rank() != rank) {
            throw fail(kernel, argument + " must have rank " + rank + " " + layout + ", got " + t.describe());
        }
    }

    static void minRank(String kernel, String argument, VTensor t, int rank, String layout) {
        if (t.shape().rank() < rank) {
            throw fail(kernel, argument + " must have rank >= " + rank + " " + layout + ", got " + t.describe());
        }
    }

    static void shape(String kernel, String argument, VTensor t, Shape expected, String why) {
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

    static int axis(String kernel, String argument, int dim, int rank) {
        int axis = dim < 0 ? dim + rank : dim;
        if (axis < 0 || axis >= rank) {
            throw fail(kernel, argument + " " + dim + " is outside the " + rank + " dimensions of the tensor");
        }
        return axis;
    }

    static int product(Shape shape, int from, int to) {
        long p = 1;
        for (int i = from; i < to; i++) {
            p *= shape.dim(i);
        }
        return (int) p;
    }

    static void eps(String kernel, float eps) {
        if (!(eps >= 0) || Float.isInfinite(eps)) {
            throw fail(kernel, "eps must be a finite non-negative number, got " + eps);
        }
    }
}
