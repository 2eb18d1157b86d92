package org.cogview2.backend.cuda;

import org.cogview2.spi.BackendException;
import org.cogview2.spi.GridContext;
import org.cogview2.spi.LocalWindow;
import org.cogview2.spi.Shape;
import org.cogview2.spi.Tensor;
import org.cogview2.spi.TensorScope;

/**
 * Standard attention over a key/value cache (one fused kernel: scores, bias, mask, softmax, weighted values), the
 * fused local 2D attention of the super-resolution models, and the Image-Local-Attention primitives.
 */
final class AttentionOps {

    /** Threads per block of the standard attention kernel. */
    static final int ATTENTION_THREADS = 128;
    /** Default dynamic shared memory a block may use without opting in. */
    static final int DEFAULT_SHARED = 48 * 1024;
    /** Most scratch memory for the scores of one standard-attention launch when they do not fit shared memory. */
    static final long SCORE_SCRATCH = 256L << 20;
    static final int THREADS = 256;

    private final CudaBackend backend;
    private final Launcher launcher;

    AttentionOps(CudaBackend backend) {
        this.backend = backend;
        this.launcher = backend.launcher();
    }

    // ------------------------------------------------------------------ standard attention

    Tensor attention(TensorScope into, Tensor qIn, Tensor kIn, Tensor vIn, int heads, int keyLength, Tensor maskIn,
                     Tensor biasIn) {
        String kn = "attention";
        CudaScope scope = backend.ownScope(kn, into);
        CudaTensor q = backend.own(kn, "q", qIn);
        CudaTensor k = backend.own(kn, "k", kIn);
        CudaTensor v = backend.own(kn, "v", vIn);
        Args.f32(kn, "q", q);
        Args.f32(kn, "k", k);
        Args.f32(kn, "v", v);
        Args.rank(kn, "q", q, 3, "[B, Lq, heads*d]");
        Args.rank(kn, "k", k, 3, "[Bk, Lcap, heads*d]");
        Args.shape(kn, "v", v, k.shape(), "(the shape of k)");
        int batch = q.shape().dim(0);
        int lq = q.shape().dim(1);
        int hidden = q.shape().dim(2);
        int d = headDim(kn, heads, hidden, q);
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
        CudaTensor mask = keyMatrix(kn, "mask", maskIn, lq, keyLength);
        CudaTensor bias = keyMatrix(kn, "bias", biasIn, lq, keyLength);
        CudaTensor out = scope.allocateF32(q.shape());
        backend.enter();
        if (batch == 0 || lq == 0) {
            return out;
        }
        float sqrtD = (float) Math.sqrt(d);
        int sharedKv = bk == 1 ? 1 : 0;
        long fixed = 4L * (d + ATTENTION_THREADS);
        long withScores = fixed + 4L * keyLength;
        if (withScores + 1024 <= Math.max(DEFAULT_SHARED, backend.device().maxSharedOptin())) {
            launcher.launch(Kernel.ATTENTION, lq, heads, batch, ATTENTION_THREADS, (int) withScores, q, k, v, mask,
                    bias, out, lq, heads, d, sharedKv, (long) cap, keyLength, sqrtD, null, 0);
            return out;
        }
        // Very long key sequences: the scores of each block go to global scratch, a bounded number of rows at a time.
        long perRow = 4L * keyLength * heads * batch;
        int rowsPerLaunch = (int) Math.max(1, Math.min(lq, SCORE_SCRATCH / perRow));
        DeviceAllocator.Block scratch = backend.scratch(perRow * rowsPerLaunch);
        try {
            for (int r0 = 0; r0 < lq; r0 += rowsPerLaunch) {
                int rows = Math.min(rowsPerLaunch, lq - r0);
                launcher.launch(Kernel.ATTENTION, rows, heads, batch, ATTENTION_THREADS, (int) fixed, q, k, v, mask,
                        bias, out, lq, heads, d, sharedKv, (long) cap, keyLength, sqrtD,
                        Launcher.address(scratch.address()), r0);
            }
        } finally {
            backend.releaseScratch(scratch);
        }
        return out;
    }

    private CudaTensor keyMatrix(String kn, String name, Tensor in, int lq, int keyLength) {
        if (in == null) {
            return null;
        }
        CudaTensor t = backend.own(kn, name, in);
        Args.f32(kn, name, t);
        Args.shape(kn, name, t, Shape.of(lq, keyLength), "[Lq, keyLength]");
        return t;
    }

    private static int headDim(String kn, int heads, int hidden, CudaTensor q) {
        Args.positive(kn, "heads", heads);
        if (hidden % heads != 0 || hidden == 0) {
            throw Args.fail(kn, "heads " + heads + " must divide the last dimension of q " + q.shape());
        }
        return hidden / heads;
    }

    // ------------------------------------------------------------------ fused grid attention

    Tensor gridAttention(TensorScope into, Tensor qIn, Tensor kIn, Tensor vIn, int heads, int side,
                         LocalWindow selfWindow, GridContext context) {
        String kn = "gridAttention";
        CudaScope scope = backend.ownScope(kn, into);
        CudaTensor q = backend.own(kn, "q", qIn);
        CudaTensor k = backend.own(kn, "k", kIn);
        CudaTensor v = backend.own(kn, "v", vIn);
        Args.f32(kn, "q", q);
        Args.f32(kn, "k", k);
        Args.f32(kn, "v", v);
        Args.rank(kn, "q", q, 3, "[B, side*side, heads*d]");
        Args.positive(kn, "side", side);
        int batch = q.shape().dim(0);
        int hidden = q.shape().dim(2);
        if (q.shape().dim(1) != side * side) {
            throw Args.fail(kn, "q must have side*side = " + (side * side) + " cells in dimension 1, got " + q.describe());
        }
        int d = headDim(kn, heads, hidden, q);
        Args.shape(kn, "k", k, q.shape(), "(the shape of q)");
        Args.shape(kn, "v", v, q.shape(), "(the shape of q)");
        if (selfWindow == null) {
            throw Args.fail(kn, "selfWindow must not be null");
        }
        if (context == null) {
            throw Args.fail(kn, "context must not be null");
        }
        Context ctx = context(kn, context, batch, side, hidden);
        int selfCount = selfWindow.size();
        int total = ctx.count + selfCount;
        CudaTensor out = scope.allocateF32(q.shape());
        backend.enter();
        long items = (long) batch * side * side * heads;
        if (items == 0) {
            return out;
        }
        long perWarp = 4L * (d + total);
        int warps = (int) Math.max(1, Math.min(4, DEFAULT_SHARED / perWarp));
        long shared = perWarp * warps;
        if (shared > Math.max(DEFAULT_SHARED, backend.device().maxSharedOptin())) {
            throw new BackendException(kn + ": " + total + " scores per query and head of dimension " + d
                    + " exceed the GPU's shared memory");
        }
        boolean vec4 = d % 4 == 0 && hidden % 4 == 0 && aligned16(q, k, v, ctx.keys, ctx.values);
        launcher.launch(Kernel.GRID_ATTENTION, (items + warps - 1) / warps, 1, 1, 32 * warps, (int) shared,
                q, k, v, out, batch, side, heads, d, selfWindow.rows(), selfWindow.cols(), selfCount, ctx.kind,
                ctx.keys, ctx.values, ctx.keyMask, ctx.side, ctx.rows, ctx.cols, ctx.count, (float) Math.sqrt(d),
                vec4 ? 1 : 0);
        return out;
    }

    private static boolean aligned16(CudaTensor... tensors) {
        for (CudaTensor t : tensors) {
            if (t.address() % 16 != 0) {
                return false;
            }
        }
        return true;
    }

    /** The context of one grid-attention call, checked: kind 0 a cross window, kind 1 global (text) keys. */
    private record Context(int kind, CudaTensor keys, CudaTensor values, CudaTensor keyMask, int side, int rows,
                           int cols, int count) {
    }

    private Context context(String kn, GridContext context, int batch, int side, int hidden) {
        return switch (context) {
            case GridContext.CrossGrid cross -> crossGrid(kn, cross, batch, side, hidden);
            case GridContext.GlobalKeys global -> globalKeys(kn, global, batch, hidden);
        };
    }

    private Context crossGrid(String kn, GridContext.CrossGrid cross, int batch, int side, int hidden) {
        int coarse = cross.side();
        if (coarse <= 0 || side % coarse != 0) {
            throw Args.fail(kn, "CrossGrid side " + coarse + " must be positive and divide the grid side " + side);
        }
        if (cross.window() == null) {
            throw Args.fail(kn, "CrossGrid window must not be null");
        }
        CudaTensor k0 = backend.own(kn, "context keys", cross.keys());
        CudaTensor v0 = backend.own(kn, "context values", cross.values());
        Args.f32(kn, "context keys", k0);
        Args.f32(kn, "context values", v0);
        Shape expected = Shape.of(batch, coarse * coarse, hidden);
        Args.shape(kn, "context keys", k0, expected, "[B, side*side, heads*d] of the CrossGrid");
        Args.shape(kn, "context values", v0, expected, "[B, side*side, heads*d] of the CrossGrid");
        LocalWindow w = cross.window();
        return new Context(0, k0, v0, null, coarse, w.rows(), w.cols(), w.size());
    }

    private Context globalKeys(String kn, GridContext.GlobalKeys global, int batch, int hidden) {
        CudaTensor k0 = backend.own(kn, "context keys", global.keys());
        CudaTensor v0 = backend.own(kn, "context values", global.values());
        Args.f32(kn, "context keys", k0);
        Args.f32(kn, "context values", v0);
        Args.rank(kn, "context keys", k0, 3, "[B, n, heads*d]");
        int n = k0.shape().dim(1);
        Shape expected = Shape.of(batch, n, hidden);
        Args.shape(kn, "context keys", k0, expected, "[B, n, heads*d] (batch and width of q)");
        Args.shape(kn, "context values", v0, expected, "(the shape of the context keys)");
        CudaTensor mask = null;
        if (global.keyMask() != null) {
            mask = backend.own(kn, "keyMask", global.keyMask());
            Args.f32(kn, "keyMask", mask);
            Args.shape(kn, "keyMask", mask, Shape.of(n), "[n] (one per context key)");
        }
        return new Context(1, k0, v0, mask, 1, 1, 1, n);
    }

    // ------------------------------------------------------------------ Image-Local-Attention primitives

    Tensor localSimilar(TensorScope into, Tensor qIn, Tensor kIn, LocalWindow window) {
        String kn = "localSimilar";
        CudaScope scope = backend.ownScope(kn, into);
        CudaTensor q = backend.own(kn, "q", qIn);
        CudaTensor k = backend.own(kn, "k", kIn);
        Args.f32(kn, "q", q);
        Args.f32(kn, "k", k);
        Args.rank(kn, "q", q, 4, "[N, ch, Hq, Wq]");
        Args.rank(kn, "k", k, 4, "[N, ch, Hk, Wk]");
        if (window == null) {
            throw Args.fail(kn, "window must not be null");
        }
        Grids g = grids(kn, q.shape(), k.shape(), "k");
        int p = window.size();
        CudaTensor out = scope.allocateF32(Shape.of(g.n, g.hq, g.wq, p));
        backend.enter();
        launcher.launch1d(Kernel.LOCAL_SIMILAR, Launcher.gridFor(out.count(), THREADS), THREADS, q, k, out, g.n, g.ch,
                g.hq, g.wq, g.hk, g.wk, window.rows(), window.cols(), p);
        return out;
    }

    Tensor localWeighting(TensorScope into, Tensor weightsIn, Tensor vIn, LocalWindow window) {
        String kn = "localWeighting";
        CudaScope scope = backend.ownScope(kn, into);
        CudaTensor w = backend.own(kn, "weights", weightsIn);
        CudaTensor v = backend.own(kn, "v", vIn);
        Args.f32(kn, "weights", w);
        Args.f32(kn, "v", v);
        Args.rank(kn, "weights", w, 4, "[N, Hq, Wq, P]");
        Args.rank(kn, "v", v, 4, "[N, ch, Hk, Wk]");
        if (window == null) {
            throw Args.fail(kn, "window must not be null");
        }
        int p = window.size();
        if (w.shape().dim(3) != p) {
            throw Args.fail(kn, "weights must have P = " + p + " entries (window " + window.rows() + "x"
                    + window.cols() + (window.causal() ? " causal" : "") + ") in dimension 3, got " + w.describe());
        }
        Shape qShape = Shape.of(w.shape().dim(0), v.shape().dim(1), w.shape().dim(1), w.shape().dim(2));
        Grids g = grids(kn, qShape, v.shape(), "v");
        if (w.shape().dim(0) != v.shape().dim(0)) {
            throw Args.fail(kn, "v must have the batch " + w.shape().dim(0) + " of weights " + w.shape() + ", got " + v.describe());
        }
        CudaTensor out = scope.allocateF32(qShape);
        backend.enter();
        launcher.launch1d(Kernel.LOCAL_WEIGHTING, Launcher.gridFor(out.count(), THREADS), THREADS, w, v, out, g.n,
                g.ch, g.hq, g.wq, g.hk, g.wk, window.rows(), window.cols(), p);
        return out;
    }

    /** Query and key grid sizes of a local-attention primitive. */
    private record Grids(int n, int ch, int hq, int wq, int hk, int wk) {
    }

    private static Grids grids(String kn, Shape q, Shape k, String keyName) {
        int n = q.dim(0);
        int ch = q.dim(1);
        int hq = q.dim(2);
        int wq = q.dim(3);
        int hk = k.dim(2);
        int wk = k.dim(3);
        if (k.dim(0) != n || k.dim(1) != ch) {
            throw Args.fail(kn, keyName + " must have shape [" + n + ", " + ch + ", Hk, Wk] (batch and channels of the"
                    + " queries " + q + "), got " + k);
        }
        if (hk <= 0 || wk <= 0 || hq % hk != 0 || wq % wk != 0) {
            throw Args.fail(kn, "the query grid " + hq + "x" + wq + " must be an integer multiple of the key grid "
                    + hk + "x" + wk + " of " + keyName + " " + k);
        }
        return new Grids(n, ch, hq, wq, hk, wk);
    }
}
