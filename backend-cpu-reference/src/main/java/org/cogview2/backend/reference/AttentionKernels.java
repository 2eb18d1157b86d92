package org.cogview2.backend.reference;

import org.cogview2.spi.support.PrimitiveFamilies;
import org.cogview2.spi.support.MathFamilies;
import org.cogview2.spi.GridContext;
import org.cogview2.spi.LocalWindow;
import org.cogview2.spi.Shape;

/**
 * Standard attention over a key/value cache, the fused local 2D attention of the super-resolution models, and the
 * two Image-Local-Attention primitives. All scores are fp32 dot products (feature index ascending); softmax is
 * {@link FloatLoops#softmaxInPlace}; weighted sums of values are fp32, key index ascending.
 */
final class AttentionKernels implements MathFamilies.Attention<ReferenceTensor>, PrimitiveFamilies.Attention<ReferenceTensor> {

    /** The score of a window cell outside the key grid, as the local-attention kernel writes it. */
    static final float OUTSIDE = -10000f;

    private final Parallel parallel;

    AttentionKernels(Parallel parallel) {
        this.parallel = parallel;
    }

    // ------------------------------------------------------------------ standard attention

    /**
     * Per batch entry, query and head: {@code q' = q / sqrt(d)} (each feature divided by the fp32 value of
     * {@code sqrt(d)}); {@code s_j = q' . k_j} for {@code j < keyLength}; {@code s_j += bias}; masked
     * {@code s_j * m - 10000 * (1 - m)}; softmax; {@code out = sum_j p_j v_j} (j ascending).
     */
    @Override
    public void attention(ReferenceTensor out, ReferenceTensor q, ReferenceTensor k, ReferenceTensor v, int heads,
                   int keyLength, ReferenceTensor maskIn, ReferenceTensor biasIn) {
        int batch = q.shape().dim(0);
        int lq = q.shape().dim(1);
        int hidden = q.shape().dim(2);
        int d = hidden / heads;
        int bk = k.shape().dim(0);
        int cap = k.shape().dim(1);
        ReferenceTensor.FloatData mask = maskIn == null ? null : maskIn.floats();
        ReferenceTensor.FloatData bias = biasIn == null ? null : biasIn.floats();
        ReferenceTensor.FloatData qd = q.floats();
        ReferenceTensor.FloatData kd = k.floats();
        ReferenceTensor.FloatData vd = v.floats();
        float[] y = out.f32Array();
        float sqrtD = (float) Math.sqrt(d);
        parallel.forRows(batch * lq, 3L * keyLength * hidden, (from, to) -> {
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
    @Override
    public void gridAttention(ReferenceTensor out, ReferenceTensor q, ReferenceTensor k, ReferenceTensor v, int heads,
                       int side, LocalWindow selfWindow, GridContext context) {
        int batch = q.shape().dim(0);
        int hidden = q.shape().dim(2);
        int d = hidden / heads;
        Context ctx = context(context, side);
        int selfCount = selfWindow.size();
        int total = ctx.count + selfCount;
        ReferenceTensor.FloatData qd = q.floats();
        ReferenceTensor.FloatData kd = k.floats();
        ReferenceTensor.FloatData vd = v.floats();
        float[] y = out.f32Array();
        float sqrtD = (float) Math.sqrt(d);
        int cells = side * side;
        parallel.forRows(batch * cells, 3L * total * hidden, (from, to) -> {
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

    private static Context context(GridContext context, int side) {
        return switch (context) {
            case GridContext.CrossGrid cross -> crossGrid(cross, side);
            case GridContext.GlobalKeys global -> globalKeys(global);
        };
    }

    private static Context crossGrid(GridContext.CrossGrid cross, int side) {
        int coarse = cross.side();
        ReferenceTensor k0 = (ReferenceTensor) cross.keys();
        ReferenceTensor v0 = (ReferenceTensor) cross.values();
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

    private static Context globalKeys(GridContext.GlobalKeys global) {
        ReferenceTensor k0 = (ReferenceTensor) global.keys();
        ReferenceTensor v0 = (ReferenceTensor) global.values();
        int n = k0.shape().dim(1);
        ReferenceTensor.FloatData maskData = global.keyMask() == null ? null : ((ReferenceTensor) global.keyMask()).floats();
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
    @Override
    public void localSimilar(ReferenceTensor out, ReferenceTensor q, ReferenceTensor k, LocalWindow window) {
        Grids g = grids(q.shape(), k.shape());
        int p = window.size();
        ReferenceTensor.FloatData qd = q.floats();
        ReferenceTensor.FloatData kd = k.floats();
        float[] y = out.f32Array();
        int qPlane = g.hq * g.wq;
        int kPlane = g.hk * g.wk;
        parallel.forRows(g.n * g.hq, (long) g.wq * p * g.ch, (from, to) -> {
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
    }

    /**
     * {@code weighting}: {@code out[ch][r][c] = sum_t w[r][c][t] * v[ch][R+dr][C+dc]}, fp32, t ascending over the
     * window entries inside the key grid (the others are skipped, whatever their weight).
     */
    @Override
    public void localWeighting(ReferenceTensor out, ReferenceTensor w, ReferenceTensor v, LocalWindow window) {
        int p = window.size();
        Grids g = grids(out.shape(), v.shape());
        ReferenceTensor.FloatData wd = w.floats();
        ReferenceTensor.FloatData vd = v.floats();
        float[] y = out.f32Array();
        int kPlane = g.hk * g.wk;
        parallel.forRows(g.n * g.ch * g.hq, (long) g.wq * p, (from, to) -> {
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
    }

    /** Query and key grid sizes of a local-attention primitive, with their integer ratios. */
    private record Grids(int n, int ch, int hq, int wq, int hk, int wk, int ratioH, int ratioW) {
    }

    private static Grids grids(Shape q, Shape k) {
        int hq = q.dim(2);
        int wq = q.dim(3);
        int hk = k.dim(2);
        int wk = k.dim(3);
        return new Grids(q.dim(0), q.dim(1), hq, wq, hk, wk, hq / hk, wq / wk);
    }

    private static boolean inside(int r, int c, int rows, int cols) {
        return r >= 0 && r < rows && c >= 0 && c < cols;
    }
}
