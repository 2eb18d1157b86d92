package org.cogview2.backend.vector;

import org.cogview2.spi.DType;
import org.cogview2.spi.Shape;
import org.cogview2.spi.Tensor;
import org.cogview2.spi.TensorScope;

import java.lang.foreign.MemorySegment;
import java.util.Arrays;

/** Exact copies for every dtype: {@code permute}, {@code concat}, {@code slice}, {@code copyInto}. */
final class Layout {

    private final VectorBackend backend;

    Layout(VectorBackend backend) {
        this.backend = backend;
    }

    /** A heap array of the tensor's dtype and the offset of its first element (mapped data is copied). */
    private record Elements(Object array, int offset) {
    }

    private static Elements elements(VTensor t) {
        return switch (t.store()) {
            case Store.F32 s -> new Elements(s.a(), t.off());
            case Store.Half s -> new Elements(s.a(), t.off());
            case Store.I32 s -> new Elements(s.a(), t.off());
            case Store.I64 s -> new Elements(s.a(), t.off());
            case Store.Mapped m -> new Elements(copyMapped(m, t.offset(), t.count()), 0);
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

    Tensor permute(TensorScope into, Tensor xIn, int... axes) {
        String k = "permute";
        VScope scope = backend.ownScope(k, into);
        VTensor x = backend.own(k, "x", xIn);
        int rank = x.shape().rank();
        if (axes == null || axes.length != rank) {
            throw Checks.fail(k, "axes must list each of the " + rank + " axes of x " + x.shape() + " once, got "
                    + (axes == null ? "null" : Arrays.toString(axes)));
        }
        boolean[] seen = new boolean[rank];
        for (int a : axes) {
            if (a < 0 || a >= rank || seen[a]) {
                throw Checks.fail(k, "axes must be a permutation of 0.." + (rank - 1) + ", got " + Arrays.toString(axes));
            }
            seen[a] = true;
        }
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
        VTensor out = scope.allocate(x.dtype(), Shape.of(outDims));
        int n = out.count();
        if (n == 0) {
            return out;
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
        return out;
    }

    Tensor concat(TensorScope into, int dim, Tensor... parts) {
        String k = "concat";
        VScope scope = backend.ownScope(k, into);
        if (parts == null || parts.length == 0) {
            throw Checks.fail(k, "parts must hold at least one tensor");
        }
        VTensor[] ts = new VTensor[parts.length];
        for (int i = 0; i < parts.length; i++) {
            ts[i] = backend.own(k, "parts[" + i + "]", parts[i]);
        }
        VTensor first = ts[0];
        int rank = first.shape().rank();
        int axis = Checks.axis(k, "dim", dim, rank);
        DType dtype = first.dtype();
        long total = 0;
        for (int i = 0; i < ts.length; i++) {
            VTensor t = ts[i];
            if (t.dtype() != dtype) {
                throw Checks.fail(k, "parts[" + i + "] must have the dtype " + dtype + " of parts[0], got " + t.describe());
            }
            if (t.shape().rank() != rank || !t.shape().withDim(axis, 0).equals(first.shape().withDim(axis, 0))) {
                throw Checks.fail(k, "parts[" + i + "] must match parts[0] " + first.shape() + " on every dimension but "
                        + axis + ", got " + t.describe());
            }
            total += t.shape().dim(axis);
        }
        VTensor out = scope.allocate(dtype, first.shape().withDim(axis, Math.toIntExact(total)));
        Object dst = array(out);
        int outer = Checks.product(first.shape(), 0, axis);
        int innerSize = Checks.product(first.shape(), axis + 1, rank);
        int outRow = (int) total * innerSize;
        int position = 0;
        for (VTensor t : ts) {
            Elements src = elements(t);
            int run = t.shape().dim(axis) * innerSize;
            for (int o = 0; o < outer; o++) {
                System.arraycopy(src.array(), src.offset() + o * run, dst, o * outRow + position, run);
            }
            position += run;
        }
        return out;
    }

    Tensor slice(TensorScope into, Tensor xIn, int dim, int start, int length) {
        String k = "slice";
        VScope scope = backend.ownScope(k, into);
        VTensor x = backend.own(k, "x", xIn);
        int rank = x.shape().rank();
        int axis = Checks.axis(k, "dim", dim, rank);
        int size = x.shape().dim(axis);
        if (start < 0 || length < 0 || (long) start + length > size) {
            throw Checks.fail(k, "range [" + start + ", " + ((long) start + length) + ") is outside dimension " + axis
                    + " of x " + x.shape() + " (size " + size + ")");
        }
        VTensor out = scope.allocate(x.dtype(), x.shape().withDim(axis, length));
        Object dst = array(out);
        Elements src = elements(x);
        int outer = Checks.product(x.shape(), 0, axis);
        int innerSize = Checks.product(x.shape(), axis + 1, rank);
        for (int o = 0; o < outer; o++) {
            System.arraycopy(src.array(), src.offset() + (o * size + start) * innerSize, dst,
                    o * length * innerSize, length * innerSize);
        }
        return out;
    }

    void copyInto(Tensor dstIn, int dim, int offset, Tensor srcIn) {
        String k = "copyInto";
        VTensor dst = backend.own(k, "dst", dstIn);
        VTensor src = backend.own(k, "src", srcIn);
        if (src.dtype() != dst.dtype()) {
            throw Checks.fail(k, "src must have the dtype of dst " + dst.describe() + ", got " + src.describe());
        }
        int rank = dst.shape().rank();
        int axis = Checks.axis(k, "dim", dim, rank);
        if (src.shape().rank() != rank || !src.shape().withDim(axis, 0).equals(dst.shape().withDim(axis, 0))) {
            throw Checks.fail(k, "src must match dst " + dst.shape() + " on every dimension but " + axis + ", got "
                    + src.describe());
        }
        int length = src.shape().dim(axis);
        int size = dst.shape().dim(axis);
        if (offset < 0 || (long) offset + length > size) {
            throw Checks.fail(k, "offset " + offset + " + src length " + length + " along dimension " + axis
                    + " exceeds dst " + dst.shape() + " (size " + size + ")");
        }
        Object target = array(dst);
        if (target == null) {
            throw Checks.fail(k, "dst " + dst.describe() + " is a memory-mapped upload used in place and cannot be written");
        }
        Elements from = elements(src);
        if (from.array() == target) {
            // src is a view of dst's memory: copy it first so that overlapping rows are read before they are written.
            Object copy = java.lang.reflect.Array.newInstance(target.getClass().getComponentType(), src.count());
            System.arraycopy(target, from.offset(), copy, 0, src.count());
            from = new Elements(copy, 0);
        }
        int outer = Checks.product(dst.shape(), 0, axis);
        int innerSize = Checks.product(dst.shape(), axis + 1, rank);
        int dstBase = dst.off();
        for (int o = 0; o < outer; o++) {
            System.arraycopy(from.array(), from.offset() + o * length * innerSize, target,
                    dstBase + (o * size + offset) * innerSize, length * innerSize);
        }
    }
}
