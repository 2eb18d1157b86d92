package org.cogview2.backend.cuda;

import org.cogview2.spi.support.MathFamilies;
import org.cogview2.spi.BackendException;
import org.cogview2.spi.DType;
import org.cogview2.spi.support.Args;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * Copies that move elements without changing them, for every dtype: {@code permute} (one gather kernel; adjacent
 * axes that stay adjacent are merged first), and {@code concat}, {@code slice}, {@code copyInto} as strided row
 * copies. Arguments arrive checked ({@link org.cogview2.spi.support.CheckedKernels}) with axes normalised; each
 * method writes every element of {@code out}.
 */
final class LayoutOps implements MathFamilies.Layout<CudaTensor> {

    static final int THREADS = 256;

    private final CudaBackend backend;
    private final Launcher launcher;

    LayoutOps(CudaBackend backend) {
        this.backend = backend;
        this.launcher = backend.launcher();
    }

    @Override
    public void permute(CudaTensor out, CudaTensor x, int[] axes) {
        String k = "permute";
        int rank = x.shape().rank();
        int[] inDims = x.shape().dims();
        int[] outDims = out.shape().dims();
        backend.enter();
        long n = out.count();
        if (n == 0) {
            return;
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
            throw new BackendException(k + ": " + merged + " axes that cannot be merged (at most "
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
    }

    @Override
    public void concat(CudaTensor out, int axis, List<CudaTensor> parts) {
        CudaTensor first = parts.getFirst();
        int rank = first.shape().rank();
        DType dtype = first.dtype();
        long total = out.shape().dim(axis);
        backend.enter();
        long outer = Args.longProduct(first.shape(), 0, axis);
        long inner = Args.longProduct(first.shape(), axis + 1, rank);
        long outRow = total * inner;
        long position = 0;
        for (CudaTensor t : parts) {
            long run = t.shape().dim(axis) * inner;
            copyRows(dtype, t.address(), run, out.address() + position * dtype.byteSize(), outRow, run, outer);
            position += run;
        }
    }

    @Override
    public void slice(CudaTensor out, CudaTensor x, int axis, int start) {
        int rank = x.shape().rank();
        int size = x.shape().dim(axis);
        int length = out.shape().dim(axis);
        backend.enter();
        long outer = Args.longProduct(x.shape(), 0, axis);
        long inner = Args.longProduct(x.shape(), axis + 1, rank);
        copyRows(x.dtype(), x.address() + start * inner * x.dtype().byteSize(), size * inner, out.address(),
                length * inner, length * inner, outer);
    }

    @Override
    public void copyInto(CudaTensor dst, int axis, int offset, CudaTensor src) {
        int rank = dst.shape().rank();
        int length = src.shape().dim(axis);
        int size = dst.shape().dim(axis);
        backend.enter();
        DType dtype = dst.dtype();
        long outer = Args.longProduct(dst.shape(), 0, axis);
        long inner = Args.longProduct(dst.shape(), axis + 1, rank);
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
