package org.cogview2.backend.cuda;

import org.cogview2.spi.support.MathFamilies;
import org.cogview2.spi.support.PrimitiveFamilies;

/**
 * Normalisations, activations, softmax, {@code logSoftmaxGather} and {@code topK}. Arguments arrive checked
 * ({@link org.cogview2.spi.support.CheckedKernels}); each method writes every element of its results.
 */
final class NormOps implements MathFamilies.Norm<CudaTensor>, PrimitiveFamilies.Norm<CudaTensor> {

    static final int THREADS = 256;

    private final CudaBackend backend;
    private final Launcher launcher;

    NormOps(CudaBackend backend) {
        this.backend = backend;
        this.launcher = backend.launcher();
    }

    /** LayerNorm over the last dimension, statistics in double (one block per row). */
    @Override
    public void layerNorm(CudaTensor out, CudaTensor x, CudaTensor gamma, CudaTensor beta, float eps) {
        int h = x.shape().dim(-1);
        backend.enter();
        long rows = h == 0 ? 0 : x.count() / h;
        launcher.launch(Kernel.LAYER_NORM, rows, 1, 1, THREADS, 0, x, gamma, gamma.dtype().ordinal(), beta,
                beta.dtype().ordinal(), out, (long) h, eps);
    }

    /** GroupNorm of [B, C, H, W], statistics in double (one block per sample and group). */
    @Override
    public void groupNorm(CudaTensor out, CudaTensor x, int groups, CudaTensor gamma, CudaTensor beta, float eps) {
        int channels = x.shape().dim(1);
        backend.enter();
        long perGroup = channels / groups;
        long plane = (long) x.shape().dim(2) * x.shape().dim(3);
        long blocks = (long) x.shape().dim(0) * groups;
        if (perGroup * plane > 0) {
            launcher.launch(Kernel.GROUP_NORM, blocks, 1, 1, 1024, 0, x, gamma, gamma.dtype().ordinal(), beta,
                    beta.dtype().ordinal(), out, groups, perGroup, plane, eps);
        }
    }

    @Override
    public void gelu(CudaTensor out, CudaTensor x) {
        elementwise(Kernel.GELU, out, x);
    }

    @Override
    public void silu(CudaTensor out, CudaTensor x) {
        elementwise(Kernel.SILU, out, x);
    }

    private void elementwise(Kernel kernel, CudaTensor out, CudaTensor x) {
        backend.enter();
        launcher.launch1d(kernel, Launcher.gridFor(x.count(), THREADS), THREADS, x, out, x.count());
    }

    /** Softmax over the last dimension after the bias and the 0/1 mask (one block per row). */
    @Override
    public void softmax(CudaTensor out, CudaTensor s, CudaTensor mask, CudaTensor bias) {
        boolean needsMatrix = mask != null || bias != null;
        int lk = s.shape().dim(-1);
        int lq = needsMatrix ? s.shape().dim(-2) : 1;
        backend.enter();
        long rows = lk == 0 ? 0 : s.count() / lk;
        if (lq > 0) {
            launcher.launch(Kernel.SOFTMAX, rows, 1, 1, THREADS, 0, s, mask, bias, out, (long) lk, (long) lq);
        }
    }

    /**
     * log(softmax(row))[target] per row. The targets were read back and checked on the host first, as the reference
     * does (by {@link org.cogview2.spi.support.CheckedKernels}, through {@link CudaScope#readInts}).
     */
    @Override
    public void logSoftmaxGather(CudaTensor out, CudaTensor logits, CudaTensor targets) {
        int m = logits.shape().dim(0);
        int v = logits.shape().dim(1);
        backend.enter();
        launcher.launch(Kernel.LOG_SOFTMAX_GATHER, m, 1, 1, THREADS, 0, logits, targets, out, (long) v);
    }

    /** The k largest entries of every row by a radix select, sorted descending, ties by ascending index. */
    @Override
    public void topK(CudaTensor values, CudaTensor indices, CudaTensor x, int kCount) {
        int v = x.shape().dim(-1);
        long rows = v == 0 ? 0 : x.count() / v;
        topK(values.address(), indices.address(), x, rows, v, kCount);
    }

    /** {@link #topK} into raw device memory: values F32 and indices I32, {@code [rows, kCount]} each. */
    void topK(long values, long indices, CudaTensor x, long rows, long v, int kCount) {
        backend.enter();
        if (kCount > 0 && rows > 0) {
            DeviceAllocator.Block scratch = backend.scratch(rows * kCount * 8L);
            try {
                launcher.launch(Kernel.TOPK, rows, 1, 1, THREADS, 0, x, Launcher.address(values),
                        Launcher.address(indices), Launcher.address(scratch.address()), v, (long) kCount);
            } finally {
                backend.releaseScratch(scratch);
            }
        }
    }
}
