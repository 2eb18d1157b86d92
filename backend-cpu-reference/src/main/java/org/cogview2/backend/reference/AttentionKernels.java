package org.cogview2.backend.reference;

import org.cogview2.spi.GridContext;
import org.cogview2.spi.LocalWindow;
import org.cogview2.spi.Shape;
import org.cogview2.spi.Tensor;
import org.cogview2.spi.TensorScope;

/**
 * Standard attention over a key/value cache, the fused local 2D attention of the super-resolution models, and the
 * two Image-Local-Attention primitives. All scores are fp32 dot products (feature index ascending); softmax is
 * {@link FloatLoops#softmaxInPlace}; weighted sums of values are fp32, key index ascending.
 */
final class AttentionKernels {

    /** The score of a window cell outside the key grid, as the local-attention kernel writes it. */
    static final float OUTSIDE = -10000f;

    private final ReferenceBackend backend;

    AttentionKernels(ReferenceBackend backend) {
        this.backend = backend;
    }

    // ------------------------------------------------------------------ standard attention

    /**
     * Per batch entry, query and head: {@code q' = q / sqrt(d)} (each feature divided by the fp32 value of
     * {@code sqrt(d)}); {@code s_j = q' . k_j} for {@code j < keyLength}; {@code s_j += bias}; masked
     * {@code s_j * m - 10000 * (1 - m)}; softmax; {@code out = sum_j p_j v_j} (j ascending).
     */
    Tensor attention(TensorScope into, Tensor qIn, Tensor kIn, Tensor vIn, int heads, int keyLength,
                     Tensor maskIn, Tensor biasIn) {
        String kn = "attention";
        ReferenceScope scope = backend.ownScope(kn, into);
        ReferenceTensor q = backend.own(kn, "q", qIn);
        ReferenceTensor k = backend.own(kn, "k", kIn);
        ReferenceTensor v = backend.own(kn, "v", vIn);
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
        ReferenceTensor.FloatData mask = keyMatrix(kn, "mask", maskIn, lq, keyLength);
        ReferenceTensor.FloatData bias = keyMatrix(kn, "bias", biasIn, lq, keyLength);
        ReferenceTensor out = scope.allocateF32(q.shape());
        ReferenceTensor.FloatData qd = q.floats();
        ReferenceTensor.FloatData kd = k.floats();
        ReferenceTensor.FloatData vd = v.floats();
        float[] y = out.f32Array();
        float sqrtD = (float) Math.sqrt(d);
        backend.parallel().forRows(batch * lq, 3L * keyLength * hidden, (from, to) -> {
            float[] qs = new float[d];
            float[] scores = new float[keyLength];
            for (int row = from; row < to; row++) {
                int b = row / lq;
                int i = row % lq;
                int kvBase = (bk == 1 ? 0 : b) * cap * hidden;
                for (int h = 0; h < heads; h++) {
                    int qOff = qd.offset() + row * hidden + h * d;
                    for (int f = 0; f < d; f++) {
                        qs[f] = qd.data()[qOff + f] / sqrtD;
                    }
                    for (int j = 0; j < keyLength; j++) {
                        float s = FloatLoops.dot(qs, 0, kd.data(), kd.offset() + kvBase + j * hidden + h * d, d);
                        if (bias != null) {
                            s = s + bias.data()[bias.offset() + i * keyLength + j];
                        }
                        if (mask != null) {
                            s = FloatLoops.mask(s, mask.data()[mask.offset() + i * keyLength + j]);
                        }
                        scores[j] = s;
                    }
                    FloatLoops.softmaxInPlace(scores, 0, keyLength);
                    int yOff = row * hidden + h * d;
                    for (int j = 0; j < keyLength; j++) {
                        FloatLoops.axpy(scores[j], vd.data(), vd.offset() + kvBase + j * hidden + h * d, y, yOff, d);
                    }
                }
            }
        });
        return out;
    }

    private ReferenceTensor.FloatData keyMatrix(String kn, String name, Tensor in, int lq, int keyLength) {
        if (in == null) {
            return null;
        }
        ReferenceTensor t = backend.own(kn, name, in);
        Args.f32(kn, name, t);
        Args.shape(kn, name, t, Shape.of(lq, keyLength), "[Lq, keyLength]");
        return t.floats();
    }

    private static int headDim(String kn, int heads, int hidden, ReferenceTensor q) {
        Args.positive(kn, "heads", heads);
        if (hidden % heads != 0 || hidden == 0) {
            throw Args.fail(kn, "heads " + heads + " must divide the last dimension of q " + q.shape());
        }
        return hidden / heads;
    }

    // ------------------------------------------------------------------ fused grid attention

    /**
     * For every batch entry, cell {@code (r, c)} and head, with {@code q' = q / sqrt(d)}: the context scores
     * (cross window into the coarse grid, -10000 outside it; or every text key {@code q' . k0_j}, masked
     * {@code s * m - 10000 * (1 - m)}), then the self-window scores (-10000 outside the grid), one softmax over
     * {@code [context..., self...]}, and as in CogView2's {@code sparse_attention_2d_light/_text}
     * {@code out = (sum over in-grid self cells p v) + (sum over context keys p v0)}, each sum in window (or key)
     * order; cells outside a grid contribute no value.
     */
    Tensor gridAttention(TensorScope into, Tensor qIn, Tensor kIn, Tensor vIn, int heads, int side,
                         LocalWindow selfWindow, GridContext context) {
        String kn = "gridAttention";
        ReferenceScope scope = backend.ownScope(kn, into);
        ReferenceTensor q = backend.own(kn, "q", qIn);
        ReferenceTensor k = backend.own(kn, "k", kIn);
        ReferenceTensor v = backend.own(kn, "v", vIn);
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
        ReferenceTensor out = scope.allocateF32(q.shape());
        ReferenceTensor.FloatData qd = q.floats();
        ReferenceTensor.FloatData kd = k.floats();
        ReferenceTensor.FloatData vd = v.floats();
        float[] y = out.f32Array();
        float sqrtD = (float) Math.sqrt(d);
        int cells = side * side;
        backend.parallel().forRows(batch * cells, 3L * total * hidden, (from, to) -> {
            float[] qs = new float[d];
            float[] scores = new float[total];
            float[] ctxPart = new float[d];
            for (int row = from; row < to; row++) {
                int b = row / cells;
                int cell = row % cells;
                int r = cell / side;
                int c = cell % side;
                int gridBase = b * cells * hidden;
                for (int h = 0; h < heads; h++) {
                    int qOff = qd.offset() + row * hidden + h * d;
                    for (int f = 0; f < d; f++) {
                        qs[f] = qd.data()[qOff + f] / sqrtD;
                    }
                    // Context scores.
                    ctx.scores(qs, b, r, c, h, d, hidden, scores);
                    // Self-window scores.
                    for (int t = 0; t < selfCount; t++) {
                        int rr = r + selfWindow.rowOffset(t);
                        int cc = c + selfWindow.colOffset(t);
                        scores[ctx.count + t] = inside(rr, cc, side, side)
                                ? FloatLoops.dot(qs, 0, kd.data(), kd.offset() + gridBase + (rr * side + cc) * hidden + h * d, d)
                                : OUTSIDE;
                    }
                    FloatLoops.softmaxInPlace(scores, 0, total);
                    int yOff = row * hidden + h * d;
                    for (int t = 0; t < selfCount; t++) {
                        int rr = r + selfWindow.rowOffset(t);
                        int cc = c + selfWindow.colOffset(t);
                        if (inside(rr, cc, side, side)) {
                            FloatLoops.axpy(scores[ctx.count + t], vd.data(),
                                    vd.offset() + gridBase + (rr * side + cc) * hidden + h * d, y, yOff, d);
                        }
                    }
                    java.util.Arrays.fill(ctxPart, 0f);
                    ctx.weightedValues(scores, b, r, c, h, d, hidden, ctxPart);
                    for (int f = 0; f < d; f++) {
                        y[yOff + f] = y[yOff + f] + ctxPart[f];
                    }
                }
            }
        });
        return out;
    }

    /** The context keys of one grid-attention call, resolved and checked. */
    private abstract static class Context {
        final int count;

        Context(int count) {
            this.count = count;
        }

        /** Writes the {@link #count} context scores of one query and head into {@code scores[0..count)}. */
        abstract void scores(float[] qs, int b, int r, int c, int h, int d, int hidden, float[] scores);

        /** Adds {@code sum_t p_t v0_t} over the context keys into {@code acc} (length d). */
        abstract void weightedValues(float[] probs, int b, int r, int c, int h, int d, int hidden, float[] acc);
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
        ReferenceTensor k0 = backend.own(kn, "context keys", cross.keys());
        ReferenceTensor v0 = backend.own(kn, "context values", cross.values());
        Args.f32(kn, "context keys", k0);
        Args.f32(kn, "context values", v0);
        Shape expected = Shape.of(batch, coarse * coarse, hidden);
        Args.shape(kn, "context keys", k0, expected, "[B, side*side, heads*d] of the CrossGrid");
        Args.shape(kn, "context values", v0, expected, "[B, side*side, heads*d] of the CrossGrid");
        LocalWindow window = cross.window();
        int ratio = side / coarse;
        ReferenceTensor.FloatData kd = k0.floats();
        ReferenceTensor.FloatData vd = v0.floats();
        int cells = coarse * coarse;
        return new Context(window.size()) {
            @Override
            void scores(float[] qs, int b, int r, int c, int h, int d, int hid, float[] scores) {
                int anchorR = r / ratio;
                int anchorC = c / ratio;
                for (int t = 0; t < count; t++) {
                    int rr = anchorR + window.rowOffset(t);
                    int cc = anchorC + window.colOffset(t);
                    scores[t] = inside(rr, cc, coarse, coarse)
                            ? FloatLoops.dot(qs, 0, kd.data(), kd.offset() + (b * cells + rr * coarse + cc) * hid + h * d, d)
                            : OUTSIDE;
                }
            }

            @Override
            void weightedValues(float[] probs, int b, int r, int c, int h, int d, int hid, float[] acc) {
                int anchorR = r / ratio;
                int anchorC = c / ratio;
                for (int t = 0; t < count; t++) {
                    int rr = anchorR + window.rowOffset(t);
                    int cc = anchorC + window.colOffset(t);
                    if (inside(rr, cc, coarse, coarse)) {
                        FloatLoops.axpy(probs[t], vd.data(), vd.offset() + (b * cells + rr * coarse + cc) * hid + h * d,
                                acc, 0, d);
                    }
                }
            }
        };
    }

    private Context globalKeys(String kn, GridContext.GlobalKeys global, int batch, int hidden) {
        ReferenceTensor k0 = backend.own(kn, "context keys", global.keys());
        ReferenceTensor v0 = backend.own(kn, "context values", global.values());
        Args.f32(kn, "context keys", k0);
        Args.f32(kn, "context values", v0);
        Args.rank(kn, "context keys", k0, 3, "[B, n, heads*d]");
        int n = k0.shape().dim(1);
        Shape expected = Shape.of(batch, n, hidden);
        Args.shape(kn, "context keys", k0, expected, "[B, n, heads*d] (batch and width of q)");
        Args.shape(kn, "context values", v0, expected, "(the shape of the context keys)");
        ReferenceTensor.FloatData maskData = null;
        if (global.keyMask() != null) {
            ReferenceTensor mask = backend.own(kn, "keyMask", global.keyMask());
            Args.f32(kn, "keyMask", mask);
            Args.shape(kn, "keyMask", mask, Shape.of(n), "[n] (one per context key)");
            maskData = mask.floats();
        }
        ReferenceTensor.FloatData md = maskData;
        ReferenceTensor.FloatData kd = k0.floats();
        ReferenceTensor.FloatData vd = v0.floats();
        return new Context(n) {
            @Override
            void scores(float[] qs, int b, int r, int c, int h, int d, int hid, float[] scores) {
                for (int j = 0; j < count; j++) {
                    float s = FloatLoops.dot(qs, 0, kd.data(), kd.offset() + (b * count + j) * hid + h * d, d);
                    scores[j] = md == null ? s : FloatLoops.mask(s, md.data()[md.offset() + j]);
                }
            }

            @Override
            void weightedValues(float[] probs, int b, int r, int c, int h, int d, int hid, float[] acc) {
                for (int j = 0; j < count; j++) {
                    FloatLoops.axpy(probs[j], vd.data(), vd.offset() + (b * count + j) * hid + h * d, acc, 0, d);
                }
            }
        };
    }

    // ------------------------------------------------------------------ Image-Local-Attention primitives

    /**
     * {@code similar}: for query cell {@code (r, c)} anchored at {@code (r / a, c / b)} and window entry t, the fp32
     * sum over channels (ascending) of {@code q[ch][r][c] * k[ch][R+dr][C+dc]}, or exactly -10000 outside the key
     * grid.
     */
    Tensor localSimilar(TensorScope into, Tensor qIn, Tensor kIn, LocalWindow window) {
        String kn = "localSimilar";
        ReferenceScope scope = backend.ownScope(kn, into);
        ReferenceTensor q = backend.own(kn, "q", qIn);
        ReferenceTensor k = backend.own(kn, "k", kIn);
        Args.f32(kn, "q", q);
        Args.f32(kn, "k", k);
        Args.rank(kn, "q", q, 4, "[N, ch, Hq, Wq]");
        Args.rank(kn, "k", k, 4, "[N, ch, Hk, Wk]");
        if (window == null) {
            throw Args.fail(kn, "window must not be null");
        }
        Grids g = grids(kn, q.shape(), k.shape(), "k");
        int p = window.size();
        ReferenceTensor out = scope.allocateF32(Shape.of(g.n, g.hq, g.wq, p));
        ReferenceTensor.FloatData qd = q.floats();
        ReferenceTensor.FloatData kd = k.floats();
        float[] y = out.f32Array();
        int qPlane = g.hq * g.wq;
        int kPlane = g.hk * g.wk;
        backend.parallel().forRows(g.n * g.hq, (long) g.wq * p * g.ch, (from, to) -> {
            for (int row = from; row < to; row++) {
                int n = row / g.hq;
                int r = row % g.hq;
                int anchorR = r / g.ratioH;
                for (int c = 0; c < g.wq; c++) {
                    int anchorC = c / g.ratioW;
                    int outOff = ((n * g.hq + r) * g.wq + c) * p;
                    for (int t = 0; t < p; t++) {
                        int rr = anchorR + window.rowOffset(t);
                        int cc = anchorC + window.colOffset(t);
                        if (!inside(rr, cc, g.hk, g.wk)) {
                            y[outOff + t] = OUTSIDE;
                            continue;
                        }
                        float acc = 0f;
                        int qi = qd.offset() + n * g.ch * qPlane + r * g.wq + c;
                        int ki = kd.offset() + n * g.ch * kPlane + rr * g.wk + cc;
                        for (int ch = 0; ch < g.ch; ch++) {
                            acc += qd.data()[qi + ch * qPlane] * kd.data()[ki + ch * kPlane];
                        }
                        y[outOff + t] = acc;
                    }
                }
            }
        });
        return out;
    }

    /**
     * {@code weighting}: {@code out[ch][r][c] = sum_t w[r][c][t] * v[ch][R+dr][C+dc]}, fp32, t ascending over the
     * window entries inside the key grid (the others are skipped, whatever their weight).
     */
    Tensor localWeighting(TensorScope into, Tensor weightsIn, Tensor vIn, LocalWindow window) {
        String kn = "localWeighting";
        ReferenceScope scope = backend.ownScope(kn, into);
        ReferenceTensor w = backend.own(kn, "weights", weightsIn);
        ReferenceTensor v = backend.own(kn, "v", vIn);
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
        ReferenceTensor out = scope.allocateF32(qShape);
        ReferenceTensor.FloatData wd = w.floats();
        ReferenceTensor.FloatData vd = v.floats();
        float[] y = out.f32Array();
        int kPlane = g.hk * g.wk;
        backend.parallel().forRows(g.n * g.ch * g.hq, (long) g.wq * p, (from, to) -> {
            for (int row = from; row < to; row++) {
                int r = row % g.hq;
                int ch = (row / g.hq) % g.ch;
                int n = row / (g.hq * g.ch);
                int anchorR = r / g.ratioH;
                for (int c = 0; c < g.wq; c++) {
                    int anchorC = c / g.ratioW;
                    int wOff = wd.offset() + ((n * g.hq + r) * g.wq + c) * p;
                    int vBase = vd.offset() + (n * g.ch + ch) * kPlane;
                    float acc = 0f;
                    for (int t = 0; t < p; t++) {
                        int rr = anchorR + window.rowOffset(t);
                        int cc = anchorC + window.colOffset(t);
                        if (inside(rr, cc, g.hk, g.wk)) {
                            acc += wd.data()[wOff + t] * vd.data()[vBase + rr * g.wk + cc];
                        }
                    }
                    y[row * g.wq + c] = acc;
                }
            }
        });
        return out;
    }

    /** Query and key grid sizes of a local-attention primitive, with their integer ratios. */
    private record Grids(int n, int ch, int hq, int wq, int hk, int wk, int ratioH, int ratioW) {
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
        return new Grids(n, ch, hq, wq, hk, wk, hq / hk, wq / wk);
    }

    private static boolean inside(int r, int c, int rows, int cols) {
        return r >= 0 && r < rows && c >= 0 && c < cols;
    }
}
