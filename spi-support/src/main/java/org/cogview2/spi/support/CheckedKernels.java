package org.cogview2.spi.support;

import org.cogview2.spi.Conv2dSpec;
import org.cogview2.spi.DType;
import org.cogview2.spi.GridContext;
import org.cogview2.spi.Kernels;
import org.cogview2.spi.LocalWindow;
import org.cogview2.spi.PrimitiveKernels;
import org.cogview2.spi.Shape;
import org.cogview2.spi.Tensor;
import org.cogview2.spi.TensorScope;
import org.cogview2.spi.sampling.ClusterLabels;
import org.cogview2.spi.sampling.ClusterSampling;
import org.cogview2.spi.sampling.RowDraws;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * The {@link Kernels} of a backend built on this module: every argument is checked here, once for all backends (the
 * tensors' backend and lifetime, dtypes, ranks, shapes, ids inside their tables, axes and ranges), the result is
 * allocated in the destination scope, and only then is the backend's unchecked {@link KernelMath} asked to compute it.
 * Failures are {@link IllegalArgumentException}s naming the kernel, the argument, what was expected and what was found
 * (or {@link IllegalStateException}s for released tensors and closed scopes); if the math fails, the result is released
 * before the exception propagates.
 *
 * @param <T> the backend's tensor class
 * @param <S> the backend's scope class
 */
public class CheckedKernels<T extends AbstractTensor, S extends AbstractScope<T>> implements Kernels {

    protected final AbstractBackend<T, S> backend;
    private final MathFamilies<T> math;
    /** The cluster table last read back, by the identity of its tensor: a stage samples many times with one table. */
    private volatile CachedLabels lastLabels;

    private record CachedLabels(Tensor tensor, int clusters, ClusterLabels table) {
    }

    protected CheckedKernels(AbstractBackend<T, S> backend, MathFamilies<T> math) {
        this.backend = backend;
        this.math = math;
    }

    /** The checked kernels of a backend's math written as one object. */
    public static <T extends AbstractTensor, S extends AbstractScope<T>> Kernels of(AbstractBackend<T, S> backend,
                                                                                   KernelMath<T> math) {
        return new CheckedKernels<>(backend, MathFamilies.of(math));
    }

    /** The checked kernels of a backend's math split by family. */
    public static <T extends AbstractTensor, S extends AbstractScope<T>> Kernels of(AbstractBackend<T, S> backend,
                                                                                   MathFamilies<T> math) {
        return new CheckedKernels<>(backend, math);
    }

    /** The checked kernels, the optional primitive kernels included, of a backend's math split by family. */
    public static <T extends AbstractTensor, S extends AbstractScope<T>> PrimitiveKernels withPrimitives(
            AbstractBackend<T, S> backend, MathFamilies<T> math, PrimitiveFamilies<T> primitives) {
        return new CheckedPrimitiveKernels<>(backend, math, primitives);
    }

    /** The checked kernels, the optional primitive kernels included, of a backend's math written as one object. */
    public static <T extends AbstractTensor, S extends AbstractScope<T>, M extends KernelMath<T> & PrimitiveMath<T>>
    PrimitiveKernels withPrimitives(AbstractBackend<T, S> backend, M math) {
        return new CheckedPrimitiveKernels<>(backend, MathFamilies.of(math), PrimitiveFamilies.of(math));
    }

    /** Runs {@code work} on a just-allocated result; releases the result if the work fails. */
    protected static <T extends AbstractTensor> T compute(T out, Runnable work) {
        try {
            work.run();
            return out;
        } catch (RuntimeException | Error e) {
            out.close();
            throw e;
        }
    }

    // ---------------------------------------------------------------- dense algebra

    @Override
    public Tensor linear(TensorScope into, Tensor xIn, Tensor weightIn, Tensor biasIn) {
        String k = "linear";
        S scope = backend.ownScope(k, into);
        T x = backend.own(k, "x", xIn);
        T w = backend.own(k, "weight", weightIn);
        Args.f32(k, "x", x);
        Args.minRank(k, "x", x, 1, "[..., K]");
        Args.floating(k, "weight", w);
        Args.rank(k, "weight", w, 2, "[N, K]");
        int inner = x.shape().dim(-1);
        int n = w.shape().dim(0);
        if (w.shape().dim(1) != inner) {
            throw Args.fail(k, "weight must have shape [N, K] with K = " + inner + " (the last dimension of x "
                    + x.shape() + "), got " + w.describe());
        }
        T bias = backend.ownOptional(k, "bias", biasIn);
        if (bias != null) {
            Args.floating(k, "bias", bias);
            Args.shape(k, "bias", bias, Shape.of(n), "(one per output feature of weight " + w.shape() + ")");
        }
        T out = scope.allocateF32(x.shape().withDim(-1, n));
        return compute(out, () -> math.dense().linear(out, x, w, bias));
    }

    @Override
    public Tensor add(TensorScope into, Tensor aIn, Tensor bIn) {
        String k = "add";
        S scope = backend.ownScope(k, into);
        T a = backend.own(k, "a", aIn);
        T b = backend.own(k, "b", bIn);
        Args.f32(k, "a", a);
        Args.floating(k, "b", b);
        int ra = a.shape().rank();
        int rb = b.shape().rank();
        boolean suffix = rb <= ra;
        for (int i = 0; suffix && i < rb; i++) {
            suffix = a.shape().dim(ra - rb + i) == b.shape().dim(i);
        }
        if (!suffix) {
            throw Args.fail(k, "b must have the shape of a " + a.shape() + " or a suffix of it, got " + b.describe());
        }
        T out = scope.allocateF32(a.shape());
        return compute(out, () -> math.dense().add(out, a, b));
    }

    // ---------------------------------------------------------------- normalisation and activations

    @Override
    public Tensor layerNorm(TensorScope into, Tensor xIn, Tensor gammaIn, Tensor betaIn, float eps) {
        String k = "layerNorm";
        S scope = backend.ownScope(k, into);
        T x = backend.own(k, "x", xIn);
        Args.f32(k, "x", x);
        Args.minRank(k, "x", x, 1, "[..., h]");
        int h = x.shape().dim(-1);
        T gamma = backend.own(k, "gamma", gammaIn);
        T beta = backend.own(k, "beta", betaIn);
        Args.floating(k, "gamma", gamma);
        Args.floating(k, "beta", beta);
        Args.shape(k, "gamma", gamma, Shape.of(h), "(the last dimension of x " + x.shape() + ")");
        Args.shape(k, "beta", beta, Shape.of(h), "(the last dimension of x " + x.shape() + ")");
        checkEps(k, eps);
        T out = scope.allocateF32(x.shape());
        return compute(out, () -> math.norm().layerNorm(out, x, gamma, beta, eps));
    }

    @Override
    public Tensor groupNorm(TensorScope into, Tensor xIn, int groups, Tensor gammaIn, Tensor betaIn, float eps) {
        String k = "groupNorm";
        S scope = backend.ownScope(k, into);
        T x = backend.own(k, "x", xIn);
        Args.f32(k, "x", x);
        Args.rank(k, "x", x, 4, "[B, C, H, W]");
        int channels = x.shape().dim(1);
        Args.positive(k, "groups", groups);
        if (channels % groups != 0) {
            throw Args.fail(k, "groups " + groups + " must divide the channel count " + channels + " of x " + x.shape());
        }
        T gamma = backend.own(k, "gamma", gammaIn);
        T beta = backend.own(k, "beta", betaIn);
        Args.floating(k, "gamma", gamma);
        Args.floating(k, "beta", beta);
        Args.shape(k, "gamma", gamma, Shape.of(channels), "(the channel count of x " + x.shape() + ")");
        Args.shape(k, "beta", beta, Shape.of(channels), "(the channel count of x " + x.shape() + ")");
        checkEps(k, eps);
        T out = scope.allocateF32(x.shape());
        return compute(out, () -> math.norm().groupNorm(out, x, groups, gamma, beta, eps));
    }

    private static void checkEps(String kernel, float eps) {
        if (!(eps >= 0) || Float.isInfinite(eps)) {
            throw Args.fail(kernel, "eps must be a finite non-negative number, got " + eps);
        }
    }

    @Override
    public Tensor gelu(TensorScope into, Tensor xIn) {
        String k = "gelu";
        S scope = backend.ownScope(k, into);
        T x = backend.own(k, "x", xIn);
        Args.f32(k, "x", x);
        T out = scope.allocateF32(x.shape());
        return compute(out, () -> math.norm().gelu(out, x));
    }

    @Override
    public Tensor silu(TensorScope into, Tensor xIn) {
        String k = "silu";
        S scope = backend.ownScope(k, into);
        T x = backend.own(k, "x", xIn);
        Args.f32(k, "x", x);
        T out = scope.allocateF32(x.shape());
        return compute(out, () -> math.norm().silu(out, x));
    }

    @Override
    public Tensor logSoftmaxGather(TensorScope into, Tensor logitsIn, Tensor targetsIn) {
        String k = "logSoftmaxGather";
        S scope = backend.ownScope(k, into);
        T logits = backend.own(k, "logits", logitsIn);
        T targets = backend.own(k, "targets", targetsIn);
        Args.f32(k, "logits", logits);
        Args.rank(k, "logits", logits, 2, "[M, V]");
        Args.i32(k, "targets", targets);
        int m = logits.shape().dim(0);
        int v = logits.shape().dim(1);
        Args.shape(k, "targets", targets, Shape.of(m), "[M] (one per row of logits " + logits.shape() + ")");
        int[] t = scope.readInts(targets);
        for (int r = 0; r < m; r++) {
            if (t[r] < 0 || t[r] >= v) {
                throw Args.fail(k, "targets[" + r + "] = " + t[r] + " is outside the " + v + " columns of logits");
            }
        }
        T out = scope.allocateF32(Shape.of(m));
        return compute(out, () -> math.norm().logSoftmaxGather(out, logits, targets));
    }

    // ---------------------------------------------------------------- sampling

    @Override
    public Tensor sampleClusters(TensorScope into, Tensor logitsIn, Tensor labelsIn, int clusters,
                                 ClusterSampling sampling, RowDraws draws) {
        String k = "sampleClusters";
        S scope = backend.ownScope(k, into);
        T logits = backend.own(k, "logits", logitsIn);
        T labels = backend.own(k, "labels", labelsIn);
        Args.f32(k, "logits", logits);
        Args.rank(k, "logits", logits, 2, "[M, V]");
        Args.i32(k, "labels", labels);
        Args.rank(k, "labels", labels, 1, "[n]");
        int m = logits.shape().dim(0);
        int v = logits.shape().dim(1);
        int n = labels.shape().dim(0);
        if (n < 1 || n > v) {
            throw Args.fail(k, "labels must have 1 to " + v + " entries (the columns of logits " + logits.shape()
                    + "), got " + labels.describe());
        }
        if (sampling == null) {
            throw Args.fail(k, "sampling must not be null");
        }
        checkDraws(k, draws, m, logits);
        ClusterLabels table = labelsOf(k, scope, labels, clusters);
        T out = scope.allocate(DType.I32, Shape.of(m));
        return compute(out, () -> math.sampling().sampleClusters(out, logits, labels, table, sampling, draws));
    }

    private ClusterLabels labelsOf(String k, S scope, T labels, int clusters) {
        CachedLabels cached = lastLabels;
        if (cached != null && cached.tensor() == labels && cached.clusters() == clusters) {
            return cached.table();
        }
        ClusterLabels table;
        try {
            table = ClusterLabels.of(scope.readInts(labels), clusters);
        } catch (IllegalArgumentException e) {
            throw Args.fail(k, "labels " + labels.describe() + ": " + e.getMessage());
        }
        lastLabels = new CachedLabels(labels, clusters, table);
        return table;
    }

    @Override
    public Tensor sampleTopK(TensorScope into, Tensor logitsIn, int kCount, RowDraws draws) {
        String k = "sampleTopK";
        S scope = backend.ownScope(k, into);
        T logits = backend.own(k, "logits", logitsIn);
        Args.f32(k, "logits", logits);
        Args.rank(k, "logits", logits, 2, "[M, V]");
        int m = logits.shape().dim(0);
        int v = logits.shape().dim(1);
        if (kCount < 1 || kCount > v) {
            throw Args.fail(k, "k must be in [1, " + v + "] (the columns of logits " + logits.shape() + "), got " + kCount);
        }
        checkDraws(k, draws, m, logits);
        T out = scope.allocate(DType.I32, Shape.of(m));
        return compute(out, () -> math.sampling().sampleTopK(out, logits, kCount, draws));
    }

    private static void checkDraws(String k, RowDraws draws, int rows, Tensor logits) {
        if (draws == null) {
            throw Args.fail(k, "draws must not be null");
        }
        if (draws.rows() != rows) {
            throw Args.fail(k, "draws must have one row per row of logits " + logits.shape() + " (" + rows + "), got "
                    + draws.rows());
        }
    }

    // ---------------------------------------------------------------- attention

    @Override
    public Tensor attention(TensorScope into, Tensor qIn, Tensor kIn, Tensor vIn, int heads, int keyLength,
                            Tensor maskIn, Tensor biasIn) {
        String kn = "attention";
        S scope = backend.ownScope(kn, into);
        List<T> qkv = activations(kn, qIn, kIn, vIn);
        T q = qkv.get(0);
        T k = qkv.get(1);
        T v = qkv.get(2);
        Args.rank(kn, "q", q, 3, "[B, Lq, heads*d]");
        Args.rank(kn, "k", k, 3, "[Bk, Lcap, heads*d]");
        Args.shape(kn, "v", v, k.shape(), "(the shape of k)");
        int batch = q.shape().dim(0);
        int lq = q.shape().dim(1);
        int hidden = q.shape().dim(2);
        checkHeads(kn, heads, hidden, q);
        int bk = k.shape().dim(0);
        if ((bk != batch && bk != 1) || k.shape().dim(2) != hidden) {
            throw Args.fail(kn, "k must have shape [" + batch + " or 1, Lcap, " + hidden + "] (batch and width of q "
                    + q.shape() + "), got " + k.describe());
        }
        int cap = k.shape().dim(1);
        if (keyLength < 1 || keyLength > cap) {
            throw Args.fail(kn, "keyLength must be in [1, " + cap + "] (the cache length of k " + k.shape()
                    + "), got " + keyLength);
        }
        T mask = keyMatrix(kn, "mask", maskIn, lq, keyLength);
        T bias = keyMatrix(kn, "bias", biasIn, lq, keyLength);
        T out = scope.allocateF32(q.shape());
        return compute(out, () -> math.attention().attention(out, q, k, v, heads, keyLength, mask, bias));
    }

    /** q, k and v as F32 tensors of this backend, checked in that order. */
    private List<T> activations(String kn, Tensor qIn, Tensor kIn, Tensor vIn) {
        T q = backend.own(kn, "q", qIn);
        T k = backend.own(kn, "k", kIn);
        T v = backend.own(kn, "v", vIn);
        Args.f32(kn, "q", q);
        Args.f32(kn, "k", k);
        Args.f32(kn, "v", v);
        return List.of(q, k, v);
    }

    private T keyMatrix(String kn, String name, Tensor in, int lq, int keyLength) {
        if (in == null) {
            return null;
        }
        T t = backend.own(kn, name, in);
        Args.f32(kn, name, t);
        Args.shape(kn, name, t, Shape.of(lq, keyLength), "[Lq, keyLength]");
        return t;
    }

    private static void checkHeads(String kn, int heads, int hidden, Tensor q) {
        Args.positive(kn, "heads", heads);
        if (hidden % heads != 0 || hidden == 0) {
            throw Args.fail(kn, "heads " + heads + " must divide the last dimension of q " + q.shape());
        }
    }

    @Override
    public Tensor gridAttention(TensorScope into, Tensor qIn, Tensor kIn, Tensor vIn, int heads, int side,
                                LocalWindow selfWindow, GridContext context) {
        String kn = "gridAttention";
        S scope = backend.ownScope(kn, into);
        List<T> qkv = activations(kn, qIn, kIn, vIn);
        T q = qkv.get(0);
        T k = qkv.get(1);
        T v = qkv.get(2);
        Args.rank(kn, "q", q, 3, "[B, side*side, heads*d]");
        Args.positive(kn, "side", side);
        int batch = q.shape().dim(0);
        int hidden = q.shape().dim(2);
        if (q.shape().dim(1) != side * side) {
            throw Args.fail(kn, "q must have side*side = " + (side * side) + " cells in dimension 1, got " + q.describe());
        }
        checkHeads(kn, heads, hidden, q);
        Args.shape(kn, "k", k, q.shape(), "(the shape of q)");
        Args.shape(kn, "v", v, q.shape(), "(the shape of q)");
        if (selfWindow == null) {
            throw Args.fail(kn, "selfWindow must not be null");
        }
        if (context == null) {
            throw Args.fail(kn, "context must not be null");
        }
        switch (context) {
            case GridContext.CrossGrid cross -> checkCrossGrid(kn, cross, batch, side, hidden);
            case GridContext.GlobalKeys global -> checkGlobalKeys(kn, global, batch, hidden);
        }
        T out = scope.allocateF32(q.shape());
        return compute(out, () -> math.attention().gridAttention(out, q, k, v, heads, side, selfWindow, context));
    }

    private void checkCrossGrid(String kn, GridContext.CrossGrid cross, int batch, int side, int hidden) {
        int coarse = cross.side();
        if (coarse <= 0 || side % coarse != 0) {
            throw Args.fail(kn, "CrossGrid side " + coarse + " must be positive and divide the grid side " + side);
        }
        if (cross.window() == null) {
            throw Args.fail(kn, "CrossGrid window must not be null");
        }
        T k0 = backend.own(kn, "context keys", cross.keys());
        T v0 = backend.own(kn, "context values", cross.values());
        Args.f32(kn, "context keys", k0);
        Args.f32(kn, "context values", v0);
        Shape expected = Shape.of(batch, coarse * coarse, hidden);
        Args.shape(kn, "context keys", k0, expected, "[B, side*side, heads*d] of the CrossGrid");
        Args.shape(kn, "context values", v0, expected, "[B, side*side, heads*d] of the CrossGrid");
    }

    private void checkGlobalKeys(String kn, GridContext.GlobalKeys global, int batch, int hidden) {
        T k0 = backend.own(kn, "context keys", global.keys());
        T v0 = backend.own(kn, "context values", global.values());
        Args.f32(kn, "context keys", k0);
        Args.f32(kn, "context values", v0);
        Args.rank(kn, "context keys", k0, 3, "[B, n, heads*d]");
        int n = k0.shape().dim(1);
        Shape expected = Shape.of(batch, n, hidden);
        Args.shape(kn, "context keys", k0, expected, "[B, n, heads*d] (batch and width of q)");
        Args.shape(kn, "context values", v0, expected, "(the shape of the context keys)");
        if (global.keyMask() != null) {
            T mask = backend.own(kn, "keyMask", global.keyMask());
            Args.f32(kn, "keyMask", mask);
            Args.shape(kn, "keyMask", mask, Shape.of(n), "[n] (one per context key)");
        }
    }

    // ---------------------------------------------------------------- lookups

    @Override
    public Tensor embedding(TensorScope into, Tensor tableIn, Tensor idsIn) {
        String k = "embedding";
        S scope = backend.ownScope(k, into);
        T table = backend.own(k, "table", tableIn);
        T ids = backend.own(k, "ids", idsIn);
        Args.floating(k, "table", table);
        Args.rank(k, "table", table, 2, "[V, h]");
        Args.i32(k, "ids", ids);
        int vocab = table.shape().dim(0);
        int h = table.shape().dim(1);
        int[] id = scope.readInts(ids);
        for (int i = 0; i < id.length; i++) {
            if (id[i] < 0 || id[i] >= vocab) {
                throw Args.fail(k, "id " + id[i] + " at flat index " + i + " of ids " + ids.shape()
                        + " is outside the " + vocab + " rows of the table");
            }
        }
        int[] outDims = Arrays.copyOf(ids.shape().dims(), ids.shape().rank() + 1);
        outDims[outDims.length - 1] = h;
        T out = scope.allocateF32(Shape.of(outDims));
        return compute(out, () -> math.lookup().embedding(out, table, ids));
    }

    @Override
    public Tensor nearestCode(TensorScope into, Tensor zIn, Tensor codebookIn) {
        String k = "nearestCode";
        S scope = backend.ownScope(k, into);
        T z = backend.own(k, "z", zIn);
        T codebook = backend.own(k, "codebook", codebookIn);
        Args.f32(k, "z", z);
        Args.rank(k, "z", z, 2, "[N, D]");
        Args.floating(k, "codebook", codebook);
        Args.rank(k, "codebook", codebook, 2, "[K, D]");
        int dim = z.shape().dim(1);
        if (codebook.shape().dim(1) != dim) {
            throw Args.fail(k, "codebook must have shape [K, D] with D = " + dim + " (the width of z " + z.shape()
                    + "), got " + codebook.describe());
        }
        if (codebook.shape().dim(0) == 0) {
            throw Args.fail(k, "codebook must have at least one code, got " + codebook.describe());
        }
        T out = scope.allocate(DType.I32, Shape.of(z.shape().dim(0)));
        return compute(out, () -> math.lookup().nearestCode(out, z, codebook));
    }

    // ---------------------------------------------------------------- images

    @Override
    public Tensor conv2d(TensorScope into, Tensor xIn, Tensor weightIn, Tensor biasIn, Conv2dSpec spec) {
        String k = "conv2d";
        S scope = backend.ownScope(k, into);
        T x = backend.own(k, "x", xIn);
        T w = backend.own(k, "weight", weightIn);
        Args.f32(k, "x", x);
        Args.rank(k, "x", x, 4, "[B, C, H, W]");
        Args.floating(k, "weight", w);
        Args.rank(k, "weight", w, 4, "[D, C, kh, kw]");
        if (spec == null) {
            throw Args.fail(k, "spec must not be null");
        }
        int channels = x.shape().dim(1);
        int outChannels = w.shape().dim(0);
        int kh = w.shape().dim(2);
        int kw = w.shape().dim(3);
        if (w.shape().dim(1) != channels) {
            throw Args.fail(k, "weight must have C = " + channels + " input channels (dimension 1 of x " + x.shape()
                    + ") in dimension 1, got " + w.describe());
        }
        T bias = backend.ownOptional(k, "bias", biasIn);
        if (bias != null) {
            Args.floating(k, "bias", bias);
            Args.shape(k, "bias", bias, Shape.of(outChannels), "(one per output channel of weight " + w.shape() + ")");
        }
        long paddedH = (long) x.shape().dim(2) + spec.padTop() + spec.padBottom();
        long paddedW = (long) x.shape().dim(3) + spec.padLeft() + spec.padRight();
        if (paddedH < kh || paddedW < kw || kh == 0 || kw == 0) {
            throw Args.fail(k, "the " + kh + "x" + kw + " kernel does not fit the padded input " + paddedH + "x"
                    + paddedW + " (x " + x.shape() + ", " + spec + ")");
        }
        int outH = (int) ((paddedH - kh) / spec.stride() + 1);
        int outW = (int) ((paddedW - kw) / spec.stride() + 1);
        T out = scope.allocateF32(Shape.of(x.shape().dim(0), outChannels, outH, outW));
        return compute(out, () -> math.image().conv2d(out, x, w, bias, spec));
    }

    @Override
    public Tensor resizeNearest(TensorScope into, Tensor xIn, int outH, int outW) {
        String k = "resizeNearest";
        S scope = backend.ownScope(k, into);
        T x = backend.own(k, "x", xIn);
        Args.f32(k, "x", x);
        Args.rank(k, "x", x, 4, "[B, C, H, W]");
        Args.positive(k, "outH", outH);
        Args.positive(k, "outW", outW);
        if (x.shape().dim(2) == 0 || x.shape().dim(3) == 0) {
            throw Args.fail(k, "x must have a non-empty image, got " + x.describe());
        }
        T out = scope.allocateF32(Shape.of(x.shape().dim(0), x.shape().dim(1), outH, outW));
        return compute(out, () -> math.image().resizeNearest(out, x));
    }

    @Override
    public Tensor avgPool2x2(TensorScope into, Tensor xIn) {
        String k = "avgPool2x2";
        S scope = backend.ownScope(k, into);
        T x = backend.own(k, "x", xIn);
        Args.f32(k, "x", x);
        Args.rank(k, "x", x, 4, "[B, C, H, W]");
        int height = x.shape().dim(2);
        int width = x.shape().dim(3);
        if (height % 2 != 0 || width % 2 != 0) {
            throw Args.fail(k, "x must have an even height and width, got " + x.describe());
        }
        T out = scope.allocateF32(Shape.of(x.shape().dim(0), x.shape().dim(1), height / 2, width / 2));
        return compute(out, () -> math.image().avgPool2x2(out, x));
    }

    // ---------------------------------------------------------------- layout

    @Override
    public Tensor permute(TensorScope into, Tensor xIn, int... axes) {
        String k = "permute";
        S scope = backend.ownScope(k, into);
        T x = backend.own(k, "x", xIn);
        int rank = x.shape().rank();
        if (axes == null || axes.length != rank) {
            throw Args.fail(k, "axes must list each of the " + rank + " axes of x " + x.shape() + " once, got "
                    + (axes == null ? "null" : Arrays.toString(axes)));
        }
        boolean[] seen = new boolean[rank];
        int[] outDims = new int[rank];
        for (int i = 0; i < rank; i++) {
            int a = axes[i];
            if (a < 0 || a >= rank || seen[a]) {
                throw Args.fail(k, "axes must be a permutation of 0.." + (rank - 1) + ", got " + Arrays.toString(axes));
            }
            seen[a] = true;
            outDims[i] = x.shape().dim(a);
        }
        int[] order = axes.clone();
        T out = scope.allocate(x.dtype(), Shape.of(outDims));
        return compute(out, () -> math.layout().permute(out, x, order));
    }

    @Override
    public Tensor concat(TensorScope into, int dim, Tensor... parts) {
        String k = "concat";
        S scope = backend.ownScope(k, into);
        if (parts == null || parts.length == 0) {
            throw Args.fail(k, "parts must hold at least one tensor");
        }
        List<T> ts = new ArrayList<>(parts.length);
        for (int i = 0; i < parts.length; i++) {
            ts.add(backend.own(k, "parts[" + i + "]", parts[i]));
        }
        T first = ts.getFirst();
        int rank = first.shape().rank();
        int axis = Args.axis(k, "dim", dim, rank);
        DType dtype = first.dtype();
        long total = 0;
        for (int i = 0; i < ts.size(); i++) {
            T t = ts.get(i);
            if (t.dtype() != dtype) {
                throw Args.fail(k, "parts[" + i + "] must have the dtype " + dtype + " of parts[0], got " + t.describe());
            }
            if (t.shape().rank() != rank || !t.shape().withDim(axis, 0).equals(first.shape().withDim(axis, 0))) {
                throw Args.fail(k, "parts[" + i + "] must match parts[0] " + first.shape() + " on every dimension but "
                        + axis + ", got " + t.describe());
            }
            total += t.shape().dim(axis);
        }
        if (total > Integer.MAX_VALUE) {
            throw Args.fail(k, "the parts hold " + total + " entries along dimension " + axis + ", more than a dimension holds");
        }
        T out = scope.allocate(dtype, first.shape().withDim(axis, (int) total));
        return compute(out, () -> math.layout().concat(out, axis, List.copyOf(ts)));
    }

    @Override
    public Tensor slice(TensorScope into, Tensor xIn, int dim, int start, int length) {
        String k = "slice";
        S scope = backend.ownScope(k, into);
        T x = backend.own(k, "x", xIn);
        int rank = x.shape().rank();
        int axis = Args.axis(k, "dim", dim, rank);
        int size = x.shape().dim(axis);
        if (start < 0 || length < 0 || (long) start + length > size) {
            throw Args.fail(k, "range [" + start + ", " + ((long) start + length) + ") is outside dimension " + axis
                    + " of x " + x.shape() + " (size " + size + ")");
        }
        T out = scope.allocate(x.dtype(), x.shape().withDim(axis, length));
        return compute(out, () -> math.layout().slice(out, x, axis, start));
    }

    @Override
    public void copyInto(Tensor dstIn, int dim, int offset, Tensor srcIn) {
        String k = "copyInto";
        T dst = backend.own(k, "dst", dstIn);
        T src = backend.own(k, "src", srcIn);
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
        math.layout().copyInto(dst, axis, offset, src);
    }
}
