package org.cogview2.backend.reference;

import org.cogview2.spi.support.MathFamilies;
import org.cogview2.spi.support.Args;

import java.util.List;

/**
 * Copies that move elements without changing them: {@code permute}, {@code concat}, {@code slice},
 * {@code copyInto}. They work for every dtype; mapped sources are first copied to the heap.
 */
final class LayoutKernels implements MathFamilies.Layout<ReferenceTensor> {

    /** The elements of {@code t} as a heap array of its dtype and the offset of its first element. */
    private record Elements(Object array, int offset) {
    }

    private static Elements elements(ReferenceTensor t) {
        Storage s = t.storage();
        if (s.array() != null) {
            return new Elements(s.array(), (int) t.offset());
        }
        return new Elements(s.copyToHeap(t.offset(), t.size()).array(), 0);
    }

    /** Output axis i is input axis {@code axes[i]}. */
    @Override
    public void permute(ReferenceTensor out, ReferenceTensor x, int[] axes) {
        int rank = x.shape().rank();
        int[] inDims = x.shape().dims();
        int[] outDims = new int[rank];
        int[] inStrides = strides(inDims);
        int[] srcStrides = new int[rank]; // stride in the input of a step along output axis i
        for (int i = 0; i < rank; i++) {
            outDims[i] = inDims[axes[i]];
            srcStrides[i] = inStrides[axes[i]];
        }
        Elements src = elements(x);
        Object dst = out.storage().array();
        int n = out.size();
        if (n == 0) {
            return;
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
    @Override
    public void concat(ReferenceTensor out, int axis, List<ReferenceTensor> ts) {
        ReferenceTensor first = ts.getFirst();
        int rank = first.shape().rank();
        int total = out.shape().dim(axis);
        Object dst = out.storage().array();
        int outer = Args.product(first.shape(), 0, axis);
        int innerSize = Args.product(first.shape(), axis + 1, rank);
        int outRow = total * innerSize;
        int position = 0;
        for (ReferenceTensor t : ts) {
            Elements src = elements(t);
            int run = t.shape().dim(axis) * innerSize;
            for (int o = 0; o < outer; o++) {
                System.arraycopy(src.array(), src.offset() + o * run, dst, o * outRow + position, run);
            }
            position += run;
        }
    }

    /** A copy of indices {@code [start, start + length)} along {@code dim} (negative counts from the end). */
    @Override
    public void slice(ReferenceTensor out, ReferenceTensor x, int axis, int start) {
        int rank = x.shape().rank();
        int size = x.shape().dim(axis);
        int length = out.shape().dim(axis);
        Object dst = out.storage().array();
        Elements src = elements(x);
        int outer = Args.product(x.shape(), 0, axis);
        int innerSize = Args.product(x.shape(), axis + 1, rank);
        for (int o = 0; o < outer; o++) {
            System.arraycopy(src.array(), src.offset() + (o * size + start) * innerSize, dst,
                    o * length * innerSize, length * innerSize);
        }
    }

    /** Writes src into dst at {@code offset} along {@code dim}; dst must be heap memory of this backend. */
    @Override
    public void copyInto(ReferenceTensor dst, int axis, int offset, ReferenceTensor src) {
        int rank = dst.shape().rank();
        int length = src.shape().dim(axis);
        int size = dst.shape().dim(axis);
        Object target = dst.storage().array();
        if (target == null) {
            throw Args.fail("copyInto", "dst " + dst.describe() + " is a memory-mapped upload used in place and cannot be written");
        }
        Elements from = elements(src);
        if (from.array() == target) {
            // src shares dst's memory (a view): copy it first so that overlapping rows are read before written.
            from = new Elements(src.storage().copyToHeap(src.offset(), src.size()).array(), 0);
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
