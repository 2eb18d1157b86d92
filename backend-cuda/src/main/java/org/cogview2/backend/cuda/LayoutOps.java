package org.cogview2.backend.cuda;

import org.cogview2.spi.DType;
import org.cogview2.spi.Shape;
import org.cogview2.spi.Tensor;
import org.cogview2.spi.TensorScope;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * Copies that move elements without changing them, for every dtype: {@code permute} (one gather kernel; adjacent
 * axes that stay adjacent are merged first), and {@code concat}, {@code slice}, {@code copyInto} as strided row
 * copies.
 */
final class LayoutOps {

    static final int THREADS = 256;

    private final CudaBackend backend;
    private final Launcher launcher;

    LayoutOps(CudaBackend backend) {
        this.backend = backend;
        this.launcher = backend.launcher();
    }

    Tensor permute(TensorScope into, Tensor xIn, int... axes) {
        String k = "permute";
        CudaScope scope = backend.ownScope(k, into);
        CudaTensor x = backend.own(k, "x", xIn);
        int rank = x.shape().rank();
        if (axes == null || axes.length != rank) {
            throw Args.fail(k, "axes must list each of the " + rank + " axes of x " + x.shape() + " once, got "
                    + (axes == null ? "null" : Arrays.toString(axes)));
        }
        boolean[] seen = new boolean[rank];
        for (int a : axes) {
            if (a < 0 || a >= rank || seen[a]) {
                throw Args.fail(k, "axes must be a permutation of 0.." + (rank - 1) + ", got " + Arrays.toString(axes));
            }
            seen[a] = true;
        }
        int[] inDims = x.shape().dims();
        int[] outDims = new int[rank];
        for (int i = 0; i < rank; i++) {
            outDims[i] = inDims[axes[i]];
        }
        CudaTensor out = scope.allocate(x.dtype(), Shape.of(outDims));
        backend.enter();
        long n = out.count();
        if (n == 0) {
            return out;
        }
        // Merge runs of output axes that are consecutive input axes (their elements are already contiguous).
        List<long[]> groups = new ArrayList<>(); // {first input axis, size, number of axes}
        for (int i = 0; i < rank; i++) {
            if (!groups.isEmpty() && axes[i] == axes[i - 1] + 1) {
                long[] last = groups.getLast();
                last[1] *= outDims[i];
                last[2]++;
            } else {
                groups.add(new long[]{axes[i], outDims[i], 1});
            }
        }
        long[] inStrides = new long[rank];
        long stride = 1;
        for (int i = rank - 1; i >= 0; i--) {
            inStrides[i] = stride;
            stride *= inDims[i];
        }
        int merged = groups.size();
        if (merged > Kernel.MAX_RANK) {
            throw new org.cogview2.spi.BackendException(k + ": " + merged + " axes that cannot be merged (at most "
                    + Kernel.MAX_RANK + "), axes " + Arrays.toString(axes) + " of " + x.shape());
        }
        long[] args = new long[Kernel.PERMUTE_FIELDS];
        args[0] = merged;
        for (int g = 0; g < merged; g++) {
            long[] grp = groups.get(g);
            args[1 + g] = grp[1];
            // A merged group steps like its innermost input axis.
            args[1 + Kernel.MAX_RANK + g] = inStrides[(int) (grp[0] + grp[2] - 1)];
        }
        Kernel kernel = switch (x.dtype().byteSize()) {
            case 2 -> Kernel.PERMUTE_2;
            case 4 -> Kernel.PERMUTE_4;
            default -> Kernel.PERMUTE_8;
        };
        launcher.launch1d(kernel, Launcher.gridFor(n, THREADS), THREADS, x, out, n, args);
        return out;
    }

    Tensor concat(TensorScope into, int dim, Tensor... parts) {
        String k = "concat";
        CudaScope scope = backend.ownScope(k, into);
        if (parts == null || parts.length == 0) {
            throw Args.fail(k, "parts must hold at least one tensor");
        }
        CudaTensor[] ts = new CudaTensor[parts.length];
        for (int i = 0; i < parts.length; i++) {
            ts[i] = backend.own(k, "parts[" + i + "]", parts[i]);
        }
        CudaTensor first = ts[0];
        int rank = first.shape().rank();
        int axis = Args.axis(k, "dim", dim, rank);
        DType dtype = first.dtype();
        long total = 0;
        for (int i = 0; i < ts.length; i++) {
            CudaTensor t = ts[i];
            if (t.dtype() != dtype) {
                throw Args.fail(k, "parts[" + i + "] must have the dtype " + dtype + " of parts[0], got " + t.describe());
            }
            if (t.shape().rank() != rank || !t.shape().withDim(axis, 0).equals(first.shape().withDim(axis, 0))) {
                throw Args.fail(k, "parts[" + i + "] must match parts[0] " + first.shape() + " on every dimension but "
                        + axis + ", got " + t.describe());
            }
            total += t.shape().dim(axis);
        }
        CudaTensor out = scope.allocate(dtype, first.shape().withDim(axis, Math.toIntExact(total)));
        backend.enter();
        long outer = Args.product(first.shape(), 0, axis);
        long inner = Args.product(first.shape(), axis + 1, rank);
        long outRow = total * inner;
        long position = 0;
        for (CudaTensor t : ts) {
            long run = t.shape().dim(axis) * inner;
            copyRows(dtype, t.address(), run, out.address() + position * dtype.byteSize(), outRow, run, outer);
            position += run;
        }
        return out;
    }

    Tensor slice(TensorScope into, Tensor xIn, int dim, int start, int length) {
        String k = "slice";
        CudaScope scope = backend.ownScope(k, into);
        CudaTensor x = backend.own(k, "x", xIn);
        int rank = x.shape().rank();
        int axis = Args.axis(k, "dim", dim, rank);
        int size = x.shape().dim(axis);
        if (start < 0 || length < 0 || (long) start + length > size) {
            throw Args.fail(k, "range [" + start + ", " + ((long) start + length) + ") is outside dimension " + axis
                    + " of x " + x.shape() + " (size " + size + ")");
        }
        CudaTensor out = scope.allocate(x.dtype(), x.shape().withDim(axis, length));
        backend.enter();
        long outer = Args.product(x.shape(), 0, axis);
        long inner = Args.product(x.shape(), axis + 1, rank);
        copyRows(x.dtype(), x.address() + start * inner * x.dtype().byteSize(), size * inner, out.address(),
                length * inner, length * inner, outer);
        return out;
    }

    void copyInto(Tensor dstIn, int dim, int offset, Tensor srcIn) {
        String k = "copyInto";
        CudaTensor dst = backend.own(k, "dst", dstIn);
        CudaTensor src = backend.own(k, "src", srcIn);
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
        backend.enter();
        DType dtype = dst.dtype();
        long outer = Args.product(dst.shape(), 0, axis);
        long inner = Args.product(dst.shape(), axis + 1, rank);
        long run = length * inner;
        if (run == 0 || outer == 0) {
            return;
        }
        long srcAddress = src.address();
        DeviceAllocator.Block copy = null;
        try {
            if (src.owner() == dst.owner()) {
                // src shares dst's memory (a view): copy it first so that no element is read after it was written.
                copy = backend.scratch(src.bytes());
                copyRows(dtype, srcAddress, src.count(), copy.address(), src.count(), src.count(), 1);
                srcAddress = copy.address();
            }
            copyRows(dtype, srcAddress, run, dst.address() + offset * inner * dtype.byteSize(), size * inner, run,
                    outer);
        } finally {
            if (copy != null) {
                backend.releaseScratch(copy);
            }
        }
    }

    /** {@code rows} rows of {@code rowLength} elements from {@code src} (pitch in elements) to {@code dst}. */
    private void copyRows(DType dtype, long src, long srcPitch, long dst, long dstPitch, long rowLength, long rows) {
        long n = rows * rowLength;
        if (n == 0) {
            return;
        }
        Kernel kernel = switch (dtype.byteSize()) {
            case 2 -> Kernel.COPY_ROWS_2;
            case 4 -> Kernel.COPY_ROWS_4;
            default -> Kernel.COPY_ROWS_8;
        };
        launcher.launch1d(kernel, Launcher.gridFor(n, THREADS), THREADS, Launcher.address(src), srcPitch,
                Launcher.address(dst), dstPitch, rowLength, rows);
    }
}
