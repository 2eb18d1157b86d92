package org.cogview2.backend.cuda;

import org.cogview2.spi.support.MathFamilies;
import org.cogview2.spi.BackendException;

/**
 * Table lookups: {@code embedding} and the vector quantiser's {@code nearestCode}. Arguments arrive checked
 * ({@link org.cogview2.spi.support.CheckedKernels}); each method writes every element of {@code out}.
 */
final class LookupOps implements MathFamilies.Lookup<CudaTensor> {

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

    /**
     * Rows of the table at the ids, widened exactly to fp32. The ids were read back and checked on the host first, as
     * the reference does (by {@link org.cogview2.spi.support.CheckedKernels}, through {@link CudaScope#readInts}).
     */
    @Override
    public void embedding(CudaTensor out, CudaTensor table, CudaTensor ids) {
        int h = table.shape().dim(1);
        backend.enter();
        launcher.launch1d(Kernel.EMBEDDING, Launcher.gridFor(out.count(), THREADS), THREADS, table,
                table.dtype().ordinal(), ids, out, ids.count(), (long) h);
    }

    /**
     * The codebook row of least {@code (sum f^2 - (2f) . e_k) + sum e_k^2}, each sum fp32 in index order and never
     * fused, exactly as the reference; ties (and NaN distances) go to the lowest index.
     */
    @Override
    public void nearestCode(CudaTensor out, CudaTensor z, CudaTensor codebook) {
        String k = "nearestCode";
        int n = z.shape().dim(0);
        int dim = z.shape().dim(1);
        int codes = codebook.shape().dim(0);
        backend.enter();
        if (n == 0) {
            return;
        }
        int rowsPerBlock = (int) Math.max(1, Math.min(NEAREST_ROWS, SHARED_BUDGET / Math.max(1L, 4L * dim)));
        long shared = 4L * rowsPerBlock * dim;
        if (shared > backend.device().maxSharedOptin() - 8 * 1024) {
            throw new BackendException(k + ": vectors of dimension " + dim + " exceed the GPU's shared memory");
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
    }
}
