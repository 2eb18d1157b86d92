package org.cogview2.backend.cuda;

import org.cogview2.spi.DType;
import org.cogview2.spi.Shape;
import org.cogview2.spi.Tensor;
import org.cogview2.spi.TensorScope;

/** Table lookups: {@code embedding} and the vector quantiser's {@code nearestCode}. */
final class LookupOps {

    static final int THREADS = 256;
    /** Rows of z per block of the nearest-code kernel (NC_MAX_ROWS in select.cuh). */
    static final int NEAREST_ROWS = 16;
    /** Dynamic shared memory budget of the nearest-code kernel (it has about 4 KiB of static shared memory). */
    static final int SHARED_BUDGET = 40 * 1024;

    private final CudaBackend backend;
    private final Launcher launcher;

    LookupOps(CudaBackend backend) {
        this.backend = backend;
        this.launcher = backend.launcher();
    }

    /** Rows of the table at the ids (checked on the host first, as the reference does), widened exactly to fp32. */
    Tensor embedding(TensorScope into, Tensor tableIn, Tensor idsIn) {
        String k = "embedding";
        CudaScope scope = backend.ownScope(k, into);
        CudaTensor table = backend.own(k, "table", tableIn);
        CudaTensor ids = backend.own(k, "ids", idsIn);
        Args.floating(k, "table", table);
        Args.rank(k, "table", table, 2, "[V, h]");
        Args.i32(k, "ids", ids);
        int vocab = table.shape().dim(0);
        int h = table.shape().dim(1);
        int[] id = backend.downloadInts(ids);
        for (int i = 0; i < id.length; i++) {
            if (id[i] < 0 || id[i] >= vocab) {
                throw Args.fail(k, "id " + id[i] + " at flat index " + i + " of ids " + ids.shape()
                        + " is outside the " + vocab + " rows of the table");
            }
        }
        int[] outDims = new int[ids.shape().rank() + 1];
        System.arraycopy(ids.shape().dims(), 0, outDims, 0, outDims.length - 1);
        outDims[outDims.length - 1] = h;
        CudaTensor out = scope.allocateF32(Shape.of(outDims));
        backend.enter();
        launcher.launch1d(Kernel.EMBEDDING, Launcher.gridFor(out.count(), THREADS), THREADS, table,
                table.dtype().ordinal(), ids, out, ids.count(), (long) h);
        return out;
    }

    /**
     * The codebook row of least {@code (sum f^2 - (2f) . e_k) + sum e_k^2}, each sum fp32 in index order and never
     * fused, exactly as the reference; ties (and NaN distances) go to the lowest index.
     */
    Tensor nearestCode(TensorScope into, Tensor zIn, Tensor codebookIn) {
        String k = "nearestCode";
        CudaScope scope = backend.ownScope(k, into);
        CudaTensor z = backend.own(k, "z", zIn);
        CudaTensor codebook = backend.own(k, "codebook", codebookIn);
        Args.f32(k, "z", z);
        Args.rank(k, "z", z, 2, "[N, D]");
        Args.floating(k, "codebook", codebook);
        Args.rank(k, "codebook", codebook, 2, "[K, D]");
        int n = z.shape().dim(0);
        int dim = z.shape().dim(1);
        int codes = codebook.shape().dim(0);
        if (codebook.shape().dim(1) != dim) {
            throw Args.fail(k, "codebook must have shape [K, D] with D = " + dim + " (the width of z " + z.shape()
                    + "), got " + codebook.describe());
        }
        if (codes == 0) {
            throw Args.fail(k, "codebook must have at least one code, got " + codebook.describe());
        }
        CudaTensor out = scope.allocate(DType.I32, Shape.of(n));
        backend.enter();
        if (n == 0) {
            return out;
        }
        int rowsPerBlock = (int) Math.max(1, Math.min(NEAREST_ROWS, SHARED_BUDGET / Math.max(1L, 4L * dim)));
        long shared = 4L * rowsPerBlock * dim;
        if (shared > backend.device().maxSharedOptin() - 8 * 1024) {
            throw new org.cogview2.spi.BackendException(k + ": vectors of dimension " + dim
                    + " exceed the GPU's shared memory");
        }
        DeviceAllocator.Block norms = backend.scratch(4L * codes);
        try {
            Launcher.Address c = Launcher.address(norms.address());
            launcher.launch1d(Kernel.CODE_NORMS, Launcher.gridFor(codes, THREADS), THREADS, codebook,
                    codebook.dtype().ordinal(), c, codes, dim);
            launcher.launch(Kernel.NEAREST_CODE, (n + rowsPerBlock - 1) / rowsPerBlock, 1, 1, THREADS, (int) shared, z,
                    codebook, codebook.dtype().ordinal(), c, out, n, codes, dim, rowsPerBlock);
        } finally {
            backend.releaseScratch(norms);
        }
        return out;
    }
}
