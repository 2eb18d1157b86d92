package org.cogview2.backend.cuda;

import org.cogview2.spi.support.PrimitiveFamilies;
import org.cogview2.spi.support.MathFamilies;
import org.cogview2.spi.BackendException;
import org.cogview2.spi.DType;
import org.cogview2.spi.support.Args;

/**
 * {@code linear}, {@code matmul}, {@code add}, {@code scale}, {@code cast}, and the choice of GEMM kernel.
 *
 * <p>GEMM paths: at most {@value #GEMV_MAX_ROWS} rows of {@code linear} (a decode step) use the warp-per-column
 * kernel, which streams each weight row once; otherwise the tiled SIMT kernel with 128 x 128 tiles when there are
 * enough of them to fill the GPU twice, else 64 x 64 tiles. With {@link CudaOptions#tensorCores()} and F16/BF16
 * weights, {@code linear} of more rows uses the WMMA kernel (activations rounded to the weight format; outside the
 * kit's tolerance).
 *
 * <p>Arguments arrive checked ({@link org.cogview2.spi.support.CheckedKernels}); each method writes every element of
 * {@code out}, uninitialised device memory.
 */
final class DenseOps implements MathFamilies.Dense<CudaTensor>, PrimitiveFamilies.Dense<CudaTensor> {

    static final int THREADS = 256;
    static final int GEMV_MAX_ROWS = 8;

    private final CudaBackend backend;
    private final Launcher launcher;

    DenseOps(CudaBackend backend) {
        this.backend = backend;
        this.launcher = backend.launcher();
    }

    // ------------------------------------------------------------------ linear

    @Override
    public void linear(CudaTensor out, CudaTensor x, CudaTensor w, CudaTensor bias) {
        int inner = x.shape().dim(-1);
        int n = w.shape().dim(0);
        long rows = Args.longProduct(x.shape(), 0, x.shape().rank() - 1);
        backend.enter();
        if (rows == 0 || n == 0) {
            return;
        }
        int biasDt = bias == null ? 0 : bias.dtype().ordinal();
        if (rows <= GEMV_MAX_ROWS) {
            boolean vec8 = inner % 8 == 0 && x.address() % 16 == 0 && w.address() % 16 == 0;
            Kernel kernel = switch (w.dtype()) {
                case F16 -> Kernel.GEMV_F16;
                case BF16 -> Kernel.GEMV_BF16;
                default -> Kernel.GEMV_F32;
            };
            launcher.launch(kernel, ((long) n * 32 + THREADS - 1) / THREADS, 1, 1, THREADS, 0,
                    x, w, bias, biasDt, out, (int) rows, n, inner, vec8 ? 1 : 0);
            return;
        }
        boolean tensorCores = backend.options().tensorCores() && w.dtype() != DType.F32;
        int tile = tensorCores ? 64 : tileFor(rows, n, 1);
        long rowsPerLaunch = (long) Launcher.MAX_GRID_YZ * tile;
        for (long r0 = 0; r0 < rows; r0 += rowsPerLaunch) {
            int m = (int) Math.min(rowsPerLaunch, rows - r0);
            Launcher.Address xa = Launcher.address(x.address() + r0 * inner * 4L);
            Launcher.Address ya = Launcher.address(out.address() + r0 * n * 4L);
            if (tensorCores) {
                Kernel kernel = w.dtype() == DType.F16 ? Kernel.LINEAR_TC_F16 : Kernel.LINEAR_TC_BF16;
                launcher.launch(kernel, ceilDiv(n, 64), ceilDiv(m, 64), 1, 128, 0, xa, w, bias, biasDt, ya, m, n, inner);
            } else {
                Kernel kernel = switch (w.dtype()) {
                    case F16 -> tile == 128 ? Kernel.LINEAR_F16_L : Kernel.LINEAR_F16_S;
                    case BF16 -> tile == 128 ? Kernel.LINEAR_BF16_L : Kernel.LINEAR_BF16_S;
                    default -> tile == 128 ? Kernel.LINEAR_F32_L : Kernel.LINEAR_F32_S;
                };
                launcher.launch(kernel, ceilDiv(n, tile), ceilDiv(m, tile), 1, THREADS, 0, xa, w, bias, biasDt, ya, m, n,
                        inner);
            }
        }
    }

    /** 128 when 128 x 128 tiles fill every multiprocessor at least twice, else 64. */
    int tileFor(long m, long n, long batches) {
        long large = ceilDiv(m, 128) * ceilDiv(n, 128) * batches;
        return large >= 2L * backend.device().multiprocessors() ? 128 : 64;
    }

    static int ceilDiv(long a, long b) {
        return (int) ((a + b - 1) / b);
    }

    // ------------------------------------------------------------------ matmul

    @Override
    public void matmul(CudaTensor out, CudaTensor a, CudaTensor b, boolean transposeB) {
        int rank = a.shape().rank();
        int m = a.shape().dim(-2);
        int inner = a.shape().dim(-1);
        int n = out.shape().dim(-1);
        long batches = Args.longProduct(a.shape(), 0, rank - 2);
        backend.enter();
        if (batches == 0 || m == 0 || n == 0) {
            return;
        }
        int tile = tileFor(m, n, batches);
        if (ceilDiv(m, tile) > Launcher.MAX_GRID_YZ) {
            throw new BackendException("matmul: " + m + " rows per batch entry exceed the launch limits");
        }
        Kernel kernel = transposeB
                ? (tile == 128 ? Kernel.MATMUL_NT_L : Kernel.MATMUL_NT_S)
                : (tile == 128 ? Kernel.MATMUL_NN_L : Kernel.MATMUL_NN_S);
        long aStride = (long) m * inner * 4;
        long bStride = (long) inner * n * 4;
        long cStride = (long) m * n * 4;
        for (long z0 = 0; z0 < batches; z0 += Launcher.MAX_GRID_YZ) {
            int zs = (int) Math.min(Launcher.MAX_GRID_YZ, batches - z0);
            launcher.launch(kernel, ceilDiv(n, tile), ceilDiv(m, tile), zs, THREADS, 0,
                    Launcher.address(a.address() + z0 * aStride), Launcher.address(b.address() + z0 * bStride),
                    Launcher.address(out.address() + z0 * cStride), m, n, inner);
        }
    }

    // ------------------------------------------------------------------ element-wise

    @Override
    public void add(CudaTensor out, CudaTensor a, CudaTensor b) {
        backend.enter();
        long n = a.count();
        long period = b.count();
        if (n > 0 && period > 0) {
            launcher.launch1d(Kernel.ADD, Launcher.gridFor(n, THREADS), THREADS, a, b, b.dtype().ordinal(), out, n, period);
        }
    }

    @Override
    public void scale(CudaTensor out, CudaTensor x, float factor) {
        backend.enter();
        launcher.launch1d(Kernel.SCALE, Launcher.gridFor(x.count(), THREADS), THREADS, x, out, x.count(), factor);
    }

    /**
     * Conversion between dtypes, with the reference's rules: floating to F16/BF16 rounds to nearest even, to F32
     * widens exactly, to an integer type truncates toward zero (NaN gives 0, out-of-range values saturate); integers
     * go to floating types through fp32; I64 to I32 keeps the low 32 bits.
     */
    @Override
    public void cast(CudaTensor out, CudaTensor x) {
        backend.enter();
        launcher.launch1d(Kernel.CAST, Launcher.gridFor(x.count(), THREADS), THREADS, x, x.dtype().ordinal(), out,
                out.dtype().ordinal(), x.count());
    }
}
