package org.cogview2.backend.cuda;

import org.cogview2.spi.DType;
import org.cogview2.spi.Shape;
import org.cogview2.spi.Tensor;
import org.cogview2.spi.TensorScope;
import org.cogview2.spi.TopK;

/** Normalisations, activations, softmax, {@code logSoftmaxGather} and {@code topK}. */
final class NormOps {

    static final int THREADS = 256;

    private final CudaBackend backend;
    private final Launcher launcher;

    NormOps(CudaBackend backend) {
        this.backend = backend;
        this.launcher = backend.launcher();
    }

    /** LayerNorm over the last dimension, statistics in double (one block per row). */
    Tensor layerNorm(TensorScope into, Tensor xIn, Tensor gammaIn, Tensor betaIn, float eps) {
        String k = "layerNorm";
        CudaScope scope = backend.ownScope(k, into);
        CudaTensor x = backend.own(k, "x", xIn);
        Args.f32(k, "x", x);
        Args.minRank(k, "x", x, 1, "[..., h]");
        int h = x.shape().dim(-1);
        CudaTensor gamma = backend.own(k, "gamma", gammaIn);
        CudaTensor beta = backend.own(k, "beta", betaIn);
        Args.floating(k, "gamma", gamma);
        Args.floating(k, "beta", beta);
        Args.shape(k, "gamma", gamma, Shape.of(h), "(the last dimension of x " + x.shape() + ")");
        Args.shape(k, "beta", beta, Shape.of(h), "(the last dimension of x " + x.shape() + ")");
        checkEps(k, eps);
        CudaTensor out = scope.allocateF32(x.shape());
        backend.enter();
        long rows = h == 0 ? 0 : x.count() / h;
        launcher.launch(Kernel.LAYER_NORM, rows, 1, 1, THREADS, 0, x, gamma, gamma.dtype().ordinal(), beta,
                beta.dtype().ordinal(), out, (long) h, eps);
        return out;
    }

    /** GroupNorm of [B, C, H, W], statistics in double (one block per sample and group). */
    Tensor groupNorm(TensorScope into, Tensor xIn, int groups, Tensor gammaIn, Tensor betaIn, float eps) {
        String k = "groupNorm";
        CudaScope scope = backend.ownScope(k, into);
        CudaTensor x = backend.own(k, "x", xIn);
        Args.f32(k, "x", x);
        Args.rank(k, "x", x, 4, "[B, C, H, W]");
        int channels = x.shape().dim(1);
        Args.positive(k, "groups", groups);
        if (channels % groups != 0) {
            throw Args.fail(k, "groups " + groups + " must divide the channel count " + channels + " of x " + x.shape());
        }
        CudaTensor gamma = backend.own(k, "gamma", gammaIn);
        CudaTensor beta = backend.own(k, "beta", betaIn);
        Args.floating(k, "gamma", gamma);
        Args.floating(k, "beta", beta);
        Args.shape(k, "gamma", gamma, Shape.of(channels), "(the channel count of x " + x.shape() + ")");
        Args.shape(k, "beta", beta, Shape.of(channels), "(the channel count of x " + x.shape() + ")");
        checkEps(k, eps);
        CudaTensor out = scope.allocateF32(x.shape());
        backend.enter();
        long perGroup = channels / groups;
        long plane = (long) x.shape().dim(2) * x.shape().dim(3);
        long blocks = (long) x.shape().dim(0) * groups;
        if (perGroup * plane > 0) {
            launcher.launch(Kernel.GROUP_NORM, blocks, 1, 1, 1024, 0, x, gamma, gamma.dtype().ordinal(), beta,
                    beta.dtype().ordinal(), out, groups, perGroup, plane, eps);
        }
        return out;
    }

    private static void checkEps(String kernel, float eps) {
        if (!(eps >= 0) || Float.isInfinite(eps)) {
            throw Args.fail(kernel, "eps must be a finite non-negative number, got " + eps);
        }
    }

    Tensor gelu(TensorScope into, Tensor xIn) {
        return elementwise("gelu", Kernel.GELU, into, xIn);
    }

    Tensor silu(TensorScope into, Tensor xIn) {
        return elementwise("silu", Kernel.SILU, into, xIn);
    }

    private Tensor elementwise(String k, Kernel kernel, TensorScope into, Tensor xIn) {
        CudaScope scope = backend.ownScope(k, into);
        CudaTensor x = backend.own(k, "x", xIn);
        Args.f32(k, "x", x);
        CudaTensor out = scope.allocateF32(x.shape());
        backend.enter();
        launcher.launch1d(kernel, Launcher.gridFor(x.count(), THREADS), THREADS, x, out, x.count());
        return out;
    }

    /** Softmax over the last dimension after the bias and the 0/1 mask (one block per row). */
    Tensor softmax(TensorScope into, Tensor scoresIn, Tensor maskIn, Tensor biasIn) {
        String k = "softmax";
        CudaScope scope = backend.ownScope(k, into);
        CudaTensor s = backend.own(k, "scores", scoresIn);
        Args.f32(k, "scores", s);
        boolean needsMatrix = maskIn != null || biasIn != null;
        Args.minRank(k, "scores", s, needsMatrix ? 2 : 1, needsMatrix ? "[..., Lq, Lk]" : "[..., L]");
        int lk = s.shape().dim(-1);
        int lq = needsMatrix ? s.shape().dim(-2) : 1;
        CudaTensor mask = matrix(k, "mask", maskIn, lq, lk, s);
        CudaTensor bias = matrix(k, "bias", biasIn, lq, lk, s);
        CudaTensor out = scope.allocateF32(s.shape());
        backend.enter();
        long rows = lk == 0 ? 0 : s.count() / lk;
        if (lq > 0) {
            launcher.launch(Kernel.SOFTMAX, rows, 1, 1, THREADS, 0, s, mask, bias, out, (long) lk, (long) lq);
        }
        return out;
    }

    private CudaTensor matrix(String k, String name, Tensor in, int lq, int lk, CudaTensor scores) {
        if (in == null) {
            return null;
        }
        CudaTensor t = backend.own(k, name, in);
        Args.f32(k, name, t);
        Args.shape(k, name, t, Shape.of(lq, lk), "[Lq, Lk] (the last two dimensions of scores " + scores.shape() + ")");
        return t;
    }

    /** log(softmax(row))[target] per row; targets are checked on the host first (as the reference does). */
    Tensor logSoftmaxGather(TensorScope into, Tensor logitsIn, Tensor targetsIn) {
        String k = "logSoftmaxGather";
        CudaScope scope = backend.ownScope(k, into);
        CudaTensor logits = backend.own(k, "logits", logitsIn);
        CudaTensor targets = backend.own(k, "targets", targetsIn);
        Args.f32(k, "logits", logits);
        Args.rank(k, "logits", logits, 2, "[M, V]");
        Args.i32(k, "targets", targets);
        int m = logits.shape().dim(0);
        int v = logits.shape().dim(1);
        Args.shape(k, "targets", targets, Shape.of(m), "[M] (one per row of logits " + logits.shape() + ")");
        int[] t = backend.downloadInts(targets);
        for (int r = 0; r < m; r++) {
            if (t[r] < 0 || t[r] >= v) {
                throw Args.fail(k, "targets[" + r + "] = " + t[r] + " is outside the " + v + " columns of logits");
            }
        }
        CudaTensor out = scope.allocateF32(Shape.of(m));
        backend.enter();
        launcher.launch(Kernel.LOG_SOFTMAX_GATHER, m, 1, 1, THREADS, 0, logits, targets, out, (long) v);
        return out;
    }

    /** The k largest entries of every row by a radix select, sorted descending, ties by ascending index. */
    TopK topK(TensorScope into, Tensor xIn, int kCount) {
        String k = "topK";
        CudaScope scope = backend.ownScope(k, into);
        CudaTensor x = backend.own(k, "x", xIn);
        Args.f32(k, "x", x);
        Args.minRank(k, "x", x, 1, "[..., V]");
        int v = x.shape().dim(-1);
        if (kCount < 0 || kCount > v) {
            throw Args.fail(k, "k must be in [0, " + v + "] (the last dimension of x " + x.shape() + "), got " + kCount);
        }
        Shape outShape = x.shape().withDim(-1, kCount);
        CudaTensor values = scope.allocateF32(outShape);
        CudaTensor indices = scope.allocate(DType.I32, outShape);
        backend.enter();
        long rows = v == 0 ? 0 : x.count() / v;
        if (kCount > 0 && rows > 0) {
            DeviceAllocator.Block scratch = backend.scratch(rows * kCount * 8L);
            try {
                launcher.launch(Kernel.TOPK, rows, 1, 1, THREADS, 0, x, values, indices,
                        Launcher.address(scratch.address()), (long) v, (long) kCount);
            } finally {
                backend.releaseScratch(scratch);
            }
        }
        return new TopK(values, indices);
    }
}
