package org.cogview2.spi;

import java.util.Arrays;

/**
 * The dimensions of a tensor, outermost first (row-major, the last index varies fastest), as in PyTorch.
 */
public final class Shape {
    private final int[] dims;

    private Shape(int[] dims) {
        this.dims = dims;
    }

    /** A shape from its dimensions; every dimension must be non-negative and the element count must fit a long. */
    public static Shape of(int... dims) {
        int[] copy = dims.clone();
        long count = 1;
        for (int d : copy) {
            if (d < 0) {
                throw new IllegalArgumentException("negative dimension in shape " + Arrays.toString(copy));
            }
            count = Math.multiplyExact(count, (long) d);
        }
        return new Shape(copy);
    }

    public int rank() {
        return dims.length;
    }

    /** Dimension {@code axis}; a negative axis counts from the end (-1 is the last). */
    public int dim(int axis) {
        return dims[axis < 0 ? dims.length + axis : axis];
    }

    public int[] dims() {
        return dims.clone();
    }

    /** Number of elements: the product of the dimensions (1 for a scalar). */
    public long elementCount() {
        long count = 1;
        for (int d : dims) {
            count *= d;
        }
        return count;
    }

    /** Product of all dimensions but the last: the number of rows when the tensor is seen as a matrix. */
    public long rows() {
        return dims.length == 0 ? 1 : elementCount() / Math.max(1, dims[dims.length - 1]) ;
    }

    /** This shape with dimension {@code axis} replaced. */
    public Shape withDim(int axis, int size) {
        int[] copy = dims.clone();
        copy[axis < 0 ? dims.length + axis : axis] = size;
        return Shape.of(copy);
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof Shape other && Arrays.equals(dims, other.dims);
    }

    @Override
    public int hashCode() {
        return Arrays.hashCode(dims);
    }

    @Override
    public String toString() {
        return Arrays.toString(dims);
    }
}
