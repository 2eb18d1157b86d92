package org.cogview2.backend.reference;

import org.cogview2.spi.DType;
import org.cogview2.spi.Shape;
import org.cogview2.spi.Tensor;
import org.cogview2.spi.TensorScope;

/**
 * Copies that move elements without changing them: {@code permute}, {@code concat}, {@code slice},
 * {@code copyInto}. They work for every dtype; mapped sources are first copied to the heap.
 */
final class LayoutKernels {

    private final ReferenceBackend backend;

    LayoutKernels(ReferenceBackend backend) {
        this.backend = backend;
    }

    /** The elements of {@code t} as a heap array of its dtype and the offset of its first element. */
    private record Elements(Object array, int offset) {
    }

    private static Elements elements(ReferenceTensor t) {
        Storage s = t.storage();
        if (s.array() != null) {
            return new Elements(s.array(), (int) t.offset());
        }
        return new Elements(s.copyToHeap(t.offset(), t.count()).array(), 0);
    }

    /** Output axis i is input axis {@code axes[i]}. */
    Tensor permute(TensorScope into, Tensor xIn, int... axes) {
        String k = "permute";
        ReferenceScope scope = backend.ownScope(k, into);
        ReferenceTensor x = backend.own(k, "x", xIn);
        int rank = x.shape().rank();
        if (axes == null || axes.length != rank) {
            throw Args.fail(k, "axes must list each of the " + rank + " axes of x " + x.shape() + " once, got "
                    + (axes == null ? "null" : java.util.Arrays.toString(axes)));
        }
        boolean[] seen = new boolean[rank];
        for (int a : axes) {
            if (a < 0 || a >= rank || seen[a]) {
                throw Args.fail(k, "axes must be a permutation of 0.." + (rank - 1) + ", got " + java.util.Arrays.toString(axes));
            }
            seen[a] = true;
        }
        int[] inDims = x.shape().dims();
        int[] outDims = new int[rank];
        int[] inStrides = strides(inDims);
        int[] srcStrides = new int[rank]; // stride in the input of a step along output axis i
        for (int i = 0; i < rank; i++) {
            outDims[i] = inDims[axes[i]];
            srcStrides[i] = inStrides[axes[i]];
        }
        ReferenceTensor out = scope.allocate(x.dtype(), Shape.of(outDims));
        Elements src = elements(x);
        Object dst = out.storage().array();
        int n = out.count();
        if (n == 0) {
            return out;
        }
        int inner = rank == 0 ? 1 : outDims[rank - 1];
        int innerStride = rank == 0 ? 1 : srcStrides[rank - 1];
        int[] index = new int[rank];
        int srcBase = src.offset();
        for (int o = 0; o < n; o += inner) {
            if (innerStride == 1) {
                System.arraycopy(src.array(), srcBase, dst, o, inner);
            } else if (dst instanceof float[] f && src.array() instanceof float[] sf) {
                for (int j = 0; j < inner; j++) {
                    f[o + j] = sf[srcBase + j * innerStride];
                }
            } else {
                for (int j = 0; j < inner; j++) {
                    System.arraycopy(src.array(), srcBase + j * innerStride, dst, o + j, 1);
                }
            }
            // Advance the multi-index over the outer output axes (odometer), updating the source offset.
            for (int axis = rank - 2; axis >= 0; axis--) {
                index[axis]++;
                srcBase += srcStrides[axis];
                if (index[axis] < outDims[axis]) {
                    break;
                }
                srcBase -= srcStrides[axis] * outDims[axis];
                index[axis] = 0;
            }
        }
        return out;
    }

    private static int[] strides(int[] dims) {
        int[] strides = new int[dims.length];
        int s = 1;
        for (int i = dims.length - 1; i >= 0; i--) {
            strides[i] = s;
            s *= dims[i];
        }
        return strides;
    }

    /** Concatenation along {@code dim} (negative counts from the end). */
    Tensor concat(TensorScope into, int dim, Tensor... parts) {
        String k = "concat";
        ReferenceScope scope = backend.ownScope(k, into);
        if (parts == null || parts.length == 0) {
            throw Args.fail(k, "parts must hold at least one tensor");
        }
        ReferenceTensor[] ts = new ReferenceTensor[parts.length];
        for (int i = 0; i < parts.length; i++) {
            ts[i] = backend.own(k, "parts[" + i + "]", parts[i]);
        }
        ReferenceTensor first = ts[0];
        int rank = first.shape().rank();
        int axis = Args.axis(k, "dim", dim, rank);
        DType dtype = first.dtype();
        long total = 0;
        for (int i = 0; i < ts.length; i++) {
            ReferenceTensor t = ts[i];
            if (t.dtype() != dtype) {
                throw Args.fail(k, "parts[" + i + "] must have the dtype " + dtype + " of parts[0], got " + t.describe());
            }
            if (t.shape().rank() != rank || !t.shape().withDim(axis, 0).equals(first.shape().withDim(axis, 0))) {
                throw Args.fail(k, "parts[" + i + "] must match parts[0] " + first.shape() + " on every dimension but "
                        + axis + ", got " + t.describe());
            }
            total += t.shape().dim(axis);
        }
        ReferenceTensor out = scope.allocate(dtype, first.shape().withDim(axis, Math.toIntExact(total)));
        Object dst = out.storage().array();
        int outer = Args.product(first.shape(), 0, axis);
        int innerSize = Args.product(first.shape(), axis + 1, rank);
        int outRow = (int) total * innerSize;
        int position = 0;
        for (ReferenceTensor t : ts) {
            Elements src = elements(t);
            int run = t.shape().dim(axis) * innerSize;
            for (int o = 0; o < outer; o++) {
                System.arraycopy(src.array(), src.offset() + o * run, dst, o * outRow + position, run);
            }
            position += run;
        }
        return out;
    }

    /** A copy of indices {@code [start, start + length)} along {@code dim} (negative counts from the end). */
    Tensor slice(TensorScope into, Tensor xIn, int dim, int start, int length) {
        String k = "slice";
        ReferenceScope scope = backend.ownScope(k, into);
        ReferenceTensor x = backend.own(k, "x", xIn);
        int rank = x.shape().rank();
        int axis = Args.axis(k, "dim", dim, rank);
        int size = x.shape().dim(axis);
        if (start < 0 || length < 0 || (long) start + length > size) {
            throw Args.fail(k, "range [" + start + ", " + ((long) start + length) + ") is outside dimension " + axis
                    + " of x " + x.shape() + " (size " + size + ")");
        }
        ReferenceTensor out = scope.allocate(x.dtype(), x.shape().withDim(axis, length));
        Object dst = out.storage().array();
        Elements src = elements(x);
        int outer = Args.product(x.shape(), 0, axis);
        int innerSize = Args.product(x.shape(), axis + 1, rank);
        for (int o = 0; o < outer; o++) {
            System.arraycopy(src.array(), src.offset() + (o * size + start) * innerSize, dst,
                    o * length * innerSize, length * innerSize);
        }
        return out;
    }

    /** Writes src into dst at {@code offset} along {@code dim}; dst must be heap memory of this backend. */
    void copyInto(Tensor dstIn, int dim, int offset, Tensor srcIn) {
        String k = "copyInto";
        ReferenceTensor dst = backend.own(k, "dst", dstIn);
        ReferenceTensor src = backend.own(k, "src", srcIn);
        if (src.dtype() != dst.dtype()) {
            throw Args.fail(k, "src must have the dtype of dst " + dst.describe() + ", got " + src.describe());
        }
        int rank = dst.shape().rank();
        int axis = Args.axis(k, "dim", dim, rank);
        if (src.shape().rank() != rank || !src.shape().withDim(axis, 0).equals(dst.shape().withDim(axis, 0))) {
            throw Args.fail(k, "src must match dst " + dst.shape() + " on every dimension but " + axis + ", got "
                    + src.describe());
        }
        int length = src.shape().dim(axis);
        int size = dst.shape().dim(axis);
        if (offset < 0 || (long) offset + length > size) {
            throw Args.fail(k, "offset " + offset + " + src length " + length + " along dimension " + axis
                    + " exceeds dst " + dst.shape() + " (size " + size + ")");
        }
        Object target = dst.storage().array();
        if (target == null) {
            throw Args.fail(k, "dst " + dst.describe() + " is a memory-mapped upload used in place and cannot be written");
        }
        Elements from = elements(src);
        if (from.array() == target) {
            // src shares dst's memory (a view): copy it first so that overlapping rows are read before written.
            from = new Elements(src.storage().copyToHeap(src.offset(), src.count()).array(), 0);
        }
        int outer = Args.product(dst.shape(), 0, axis);
        int innerSize = Args.product(dst.shape(), axis + 1, rank);
        int dstBase = (int) dst.offset();
        // Copy row by row; System.arraycopy handles source and destination sharing memory (a view of dst).
        for (int o = 0; o < outer; o++) {
            System.arraycopy(from.array(), from.offset() + o * length * innerSize, target,
                    dstBase + (o * size + offset) * innerSize, length * innerSize);
        }
    }
}
