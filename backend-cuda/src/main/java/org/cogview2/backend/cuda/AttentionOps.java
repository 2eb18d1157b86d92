package org.cogview2.backend.cuda;

import org.cogview2.spi.support.PrimitiveFamilies;
import org.cogview2.spi.support.MathFamilies;
import org.cogview2.spi.BackendException;
import org.cogview2.spi.GridContext;
import org.cogview2.spi.LocalWindow;

/**
 * Standard attention over a key/value cache (one fused kernel: scores, bias, mask, softmax, weighted values), the
 * fused local 2D attention of the super-resolution models, and the Image-Local-Attention primitives. Arguments
 * arrive checked ({@link org.cogview2.spi.support.CheckedKernels}); each method writes every element of {@code out}.
 */
final class AttentionOps implements MathFamilies.Attention<CudaTensor>, PrimitiveFamilies.Attention<CudaTensor> {

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

    @Override
    public void attention(CudaTensor out, CudaTensor q, CudaTensor k, CudaTensor v, int heads, int keyLength,
                   CudaTensor mask, CudaTensor bias) {
        int batch = q.shape().dim(0);
        int lq = q.shape().dim(1);
        int d = q.shape().dim(2) / heads;
        int bk = k.shape().dim(0);
        int cap = k.shape().dim(1);
        backend.enter();
        if (batch == 0 || lq == 0) {
            return;
        }
        float sqrtD = (float) Math.sqrt(d);
        int sharedKv = bk == 1 ? 1 : 0;
        long fixed = 4L * (d + ATTENTION_THREADS);
        long withScores = fixed + 4L * keyLength;
        if (withScores + 1024 <= Math.max(DEFAULT_SHARED, backend.device().maxSharedOptin())) {
            launcher.launch(Kernel.ATTENTION, lq, heads, batch, ATTENTION_THREADS, (int) withScores, q, k, v, mask,
                    bias, out, lq, heads, d, sharedKv, (long) cap, keyLength, sqrtD, null, 0);
            return;
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
    }

    // ------------------------------------------------------------------ fused grid attention

    @Override
    public void gridAttention(CudaTensor out, CudaTensor q, CudaTensor k, CudaTensor v, int heads, int side,
                       LocalWindow selfWindow, GridContext context) {
        String kn = "gridAttention";
        int batch = q.shape().dim(0);
        int hidden = q.shape().dim(2);
        int d = hidden / heads;
        Context ctx = context(context);
        int selfCount = selfWindow.size();
        int total = ctx.count + selfCount;
        backend.enter();
        long items = (long) batch * side * side * heads;
        if (items == 0) {
            return;
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
    }

    private static boolean aligned16(CudaTensor... tensors) {
        for (CudaTensor t : tensors) {
            if (t.address() % 16 != 0) {
                return false;
            }
        }
        return true;
    }

    /** The context of one grid-attention call: kind 0 a cross window, kind 1 global (text) keys. */
    private record Context(int kind, CudaTensor keys, CudaTensor values, CudaTensor keyMask, int side, int rows,
                           int cols, int count) {
    }

    /** The tensors of a context are live tensors of this backend (checked by the caller). */
    private static Context context(GridContext context) {
        return switch (context) {
            case GridContext.CrossGrid cross -> {
                LocalWindow w = cross.window();
                yield new Context(0, (CudaTensor) cross.keys(), (CudaTensor) cross.values(), null, cross.side(),
                        w.rows(), w.cols(), w.size());
            }
            case GridContext.GlobalKeys global -> new Context(1, (CudaTensor) global.keys(),
                    (CudaTensor) global.values(), (CudaTensor) global.keyMask(), 1, 1, 1, global.keys().shape().dim(1));
        };
    }

    // ------------------------------------------------------------------ Image-Local-Attention primitives

    @Override
    public void localSimilar(CudaTensor out, CudaTensor q, CudaTensor k, LocalWindow window) {
        Grids g = grids(q.shape().dims(), k.shape().dims());
        int p = window.size();
        backend.enter();
        launcher.launch1d(Kernel.LOCAL_SIMILAR, Launcher.gridFor(out.count(), THREADS), THREADS, q, k, out, g.n, g.ch,
                g.hq, g.wq, g.hk, g.wk, window.rows(), window.cols(), p);
    }

    @Override
    public void localWeighting(CudaTensor out, CudaTensor w, CudaTensor v, LocalWindow window) {
        Grids g = grids(out.shape().dims(), v.shape().dims());
        int p = window.size();
        backend.enter();
        launcher.launch1d(Kernel.LOCAL_WEIGHTING, Launcher.gridFor(out.count(), THREADS), THREADS, w, v, out, g.n,
                g.ch, g.hq, g.wq, g.hk, g.wk, window.rows(), window.cols(), p);
    }

    /** Query and key grid sizes of a local-attention primitive. */
    private record Grids(int n, int ch, int hq, int wq, int hk, int wk) {
    }

    /** The grids of queries {@code [N, ch, Hq, Wq]} and keys {@code [N, ch, Hk, Wk]}. */
    private static Grids grids(int[] q, int[] k) {
        return new Grids(q[0], q[1], q[2], q[3], k[2], k[3]);
    }
}
