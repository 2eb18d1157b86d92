package org.cogview2.backend.vector;

import org.cogview2.spi.support.MathFamilies;
import org.cogview2.spi.support.Args;

import java.lang.foreign.MemorySegment;
import java.util.List;

/** Exact copies for every dtype: {@code permute}, {@code concat}, {@code slice}, {@code copyInto}. */
final class Layout implements MathFamilies.Layout<VTensor> {

    /** A heap array of the tensor's dtype and the offset of its first element (mapped data is copied). */
    private record Elements(Object array, int offset) {
    }

    private static Elements elements(VTensor t) {
        return switch (t.store()) {
            case Store.F32 s -> new Elements(s.a(), t.off());
            case Store.Half s -> new Elements(s.a(), t.off());
            case Store.I32 s -> new Elements(s.a(), t.off());
            case Store.I64 s -> new Elements(s.a(), t.off());
            case Store.Mapped m -> new Elements(copyMapped(m, t.offset(), t.size()), 0);
        };
    }

    private static Object copyMapped(Store.Mapped m, long from, int n) {
        MemorySegment seg = m.segment();
        return switch (m.dtype()) {
            case F32 -> {
                float[] a = new float[n];
                MemorySegment.copy(seg, Store.LE_FLOAT, from * 4, a, 0, n);
                yield a;
            }
            case F16, BF16 -> {
                short[] a = new short[n];
                MemorySegment.copy(seg, Store.LE_SHORT, from * 2, a, 0, n);
                yield a;
            }
            case I32 -> {
                int[] a = new int[n];
                MemorySegment.copy(seg, Store.LE_INT, from * 4, a, 0, n);
                yield a;
            }
            case I64 -> {
                long[] a = new long[n];
                MemorySegment.copy(seg, Store.LE_LONG, from * 8, a, 0, n);
                yield a;
            }
        };
    }

    private static Object array(VTensor t) {
        return switch (t.store()) {
            case Store.F32 s -> s.a();
            case Store.Half s -> s.a();
            case Store.I32 s -> s.a();
            case Store.I64 s -> s.a();
            case Store.Mapped m -> null;
        };
    }

    @Override
    public void permute(VTensor out, VTensor x, int[] axes) {
        int rank = x.shape().rank();
        int[] inDims = x.shape().dims();
        int[] outDims = new int[rank];
        int[] inStrides = new int[rank];
        for (int i = rank - 1, s = 1; i >= 0; i--) {
            inStrides[i] = s;
            s *= inDims[i];
        }
        int[] srcStrides = new int[rank];
        for (int i = 0; i < rank; i++) {
            outDims[i] = inDims[axes[i]];
            srcStrides[i] = inStrides[axes[i]];
        }
        int n = out.size();
        if (n == 0) {
            return;
        }
        Elements src = elements(x);
        Object dst = array(out);
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

    @Override
    public void concat(VTensor out, int axis, List<VTensor> parts) {
        VTensor first = parts.getFirst();
        int rank = first.shape().rank();
        int total = out.shape().dim(axis);
        Object dst = array(out);
        int outer = (int) Args.longProduct(first.shape(), 0, axis);
        int innerSize = (int) Args.longProduct(first.shape(), axis + 1, rank);
        int outRow = total * innerSize;
        int position = 0;
        for (VTensor t : parts) {
            Elements src = elements(t);
            int run = t.shape().dim(axis) * innerSize;
            for (int o = 0; o < outer; o++) {
                System.arraycopy(src.array(), src.offset() + o * run, dst, o * outRow + position, run);
            }
            position += run;
        }
    }

    @Override
    public void slice(VTensor out, VTensor x, int axis, int start) {
        int rank = x.shape().rank();
        int size = x.shape().dim(axis);
        int length = out.shape().dim(axis);
        Object dst = array(out);
        Elements src = elements(x);
        int outer = (int) Args.longProduct(x.shape(), 0, axis);
        int innerSize = (int) Args.longProduct(x.shape(), axis + 1, rank);
        for (int o = 0; o < outer; o++) {
            System.arraycopy(src.array(), src.offset() + (o * size + start) * innerSize, dst,
                    o * length * innerSize, length * innerSize);
        }
    }

    @Override
    public void copyInto(VTensor dst, int axis, int offset, VTensor src) {
        int rank = dst.shape().rank();
        int length = src.shape().dim(axis);
        int size = dst.shape().dim(axis);
        Object target = array(dst);
        if (target == null) {
            throw Args.fail("copyInto", "dst " + dst.describe() + " is a memory-mapped upload used in place and cannot be written");
        }
        Elements from = elements(src);
        if (from.array() == target) {
            // src is a view of dst's memory: copy it first so that overlapping rows are read before they are written.
            Object copy = java.lang.reflect.Array.newInstance(target.getClass().getComponentType(), src.size());
            System.arraycopy(target, from.offset(), copy, 0, src.size());
            from = new Elements(copy, 0);
        }
        int outer = (int) Args.longProduct(dst.shape(), 0, axis);
        int innerSize = (int) Args.longProduct(dst.shape(), axis + 1, rank);
        int dstBase = dst.off();
        for (int o = 0; o < outer; o++) {
            System.arraycopy(from.array(), from.offset() + o * length * innerSize, target,
                    dstBase + (o * size + offset) * innerSize, length * innerSize);
        }
    }
}
