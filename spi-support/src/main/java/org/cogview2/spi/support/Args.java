package org.cogview2.spi.support;

import org.cogview2.spi.DType;
import org.cogview2.spi.Shape;
import org.cogview2.spi.Tensor;

/**
 * The argument checks of the kernels. Every message names the kernel, the argument, what was expected and what was
 * found, e.g. {@code linear: weight must have shape [N, K] with K = 17 (the last dimension of x), got F32[29, 16]}.
 * {@link CheckedKernels} runs them once for every backend; a backend that implements the SPI directly may call them
 * too, so that its messages read like everyone else's.
 */
public final class Args {

    private Args() {
    }

    public static IllegalArgumentException fail(String kernel, String message) {
        return new IllegalArgumentException(kernel + ": " + message);
    }

    /** dtype and shape, and " view" for a view: {@code F32[2, 3] view}. */
    public static String describe(Tensor t) {
        if (t instanceof AbstractTensor a) {
            return a.describe();
        }
        try {
            return t.dtype() + String.valueOf(t.shape());
        } catch (RuntimeException e) {
            return "?";
        }
    }

    public static void f32(String kernel, String argument, Tensor t) {
        if (t.dtype() != DType.F32) {
            throw fail(kernel, argument + " must be F32 (an activation), got " + describe(t));
        }
    }

    public static void floating(String kernel, String argument, Tensor t) {
        if (!t.dtype().isFloating()) {
            throw fail(kernel, argument + " must be floating (F32, F16 or BF16), got " + describe(t));
        }
    }

    public static void i32(String kernel, String argument, Tensor t) {
        if (t.dtype() != DType.I32) {
            throw fail(kernel, argument + " must be I32, got " + describe(t));
        }
    }

    public static void rank(String kernel, String argument, Tensor t, int rank, String layout) {
        if (t.shape().rank() != rank) {
            throw fail(kernel, argument + " must have rank " + rank + " " + layout + ", got " + describe(t));
        }
    }

    public static void minRank(String kernel, String argument, Tensor t, int rank, String layout) {
        if (t.shape().rank() < rank) {
            throw fail(kernel, argument + " must have rank >= " + rank + " " + layout + ", got " + describe(t));
        }
    }

    public static void shape(String kernel, String argument, Tensor t, Shape expected, String why) {
        if (!t.shape().equals(expected)) {
            throw fail(kernel, argument + " must have shape " + expected + (why.isEmpty() ? "" : " " + why)
                    + ", got " + describe(t));
        }
    }

    public static void positive(String kernel, String argument, long value) {
        if (value <= 0) {
            throw fail(kernel, argument + " must be positive, got " + value);
        }
    }

    /** {@code dim} normalised to {@code [0, rank)}; negative values count from the end. */
    public static int axis(String kernel, String argument, int dim, int rank) {
        int axis = dim < 0 ? dim + rank : dim;
        if (axis < 0 || axis >= rank) {
            throw fail(kernel, argument + " " + dim + " is outside the " + rank + " dimensions of the tensor");
        }
        return axis;
    }

    /** Product of dims {@code [from, to)}, as an int (the tensors of the CPU backends are int-indexed). */
    public static int product(Shape shape, int from, int to) {
        return Math.toIntExact(longProduct(shape, from, to));
    }

    /** Product of dims {@code [from, to)}. */
    public static long longProduct(Shape shape, int from, int to) {
        long p = 1;
        for (int i = from; i < to; i++) {
            p *= shape.dim(i);
        }
        return p;
    }
}
