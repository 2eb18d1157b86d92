package org.cogview2.backend.vector;

import org.cogview2.spi.support.PrimitiveFamilies;
import org.cogview2.spi.support.MathFamilies;
import jdk.incubator.vector.FloatVector;
import org.cogview2.spi.GridContext;
import org.cogview2.spi.LocalWindow;
import org.cogview2.spi.Shape;

import java.util.Arrays;

import static org.cogview2.backend.vector.Simd.F;
import static org.cogview2.backend.vector.Simd.L;

/**
 * Fused standard attention over a key/value cache, fused local 2D attention, and the two Image-Local-Attention
 * primitives.
 */
final class Attention implements MathFamilies.Attention<VTensor>, PrimitiveFamilies.Attention<VTensor> {

    static final float OUTSIDE = -10000f;
    /** From this many queries on, attention runs as two GEMMs per head instead of per-query dot products. */
    static final int GEMM_MIN_QUERIES = 16;

    private final VectorBackend backend;

    Attention(VectorBackend backend) {
        this.backend = backend;
    }

    // ------------------------------------------------------------------ vector helpers

    /** {@code sum_f x[f] * y[f]}: fused multiply-adds in lanes, fixed-order lane sum, then the tail. */
    static float dot(float[] x, int xo, float[] y, int yo, int n) {
        FloatVector acc = FloatVector.zero(F);
        int i = 0;
        for (int bound = F.loopBound(n); i < bound; i += L) {
            acc = FloatVector.fromArray(F, x, xo + i).fma(FloatVector.fromArray(F, y, yo + i), acc);
        }
        float s = Simd.sum(acc);
        for (; i < n; i++) {
            s = Math.fma(x[xo + i], y[yo + i], s);
        }
        return s;
    }

    /** {@code acc[i] += w * v[i]} (fused). */
    static void axpy(float w, float[] v, int vo, float[] acc, int ao, int n) {
        FloatVector wv = FloatVector.broadcast(F, w);
        int i = 0;
        for (int bound = F.loopBound(n); i < bound; i += L) {
            FloatVector.fromArray(F, v, vo + i).fma(wv, FloatVector.fromArray(F, acc, ao + i)).intoArray(acc, ao + i);
        }
        for (; i < n; i++) {
            acc[ao + i] = Math.fma(w, v[vo + i], acc[ao + i]);
        }
    }

    /** {@code dst[i] = src[i] / divisor}. */
    static void divide(float[] src, int so, float divisor, float[] dst, int dOff, int n) {
        int i = 0;
        for (int bound = F.loopBound(n); i < bound; i += L) {
            FloatVector.fromArray(F, src, so + i).div(divisor).intoArray(dst, dOff + i);
        }
        for (; i < n; i++) {
            dst[dOff + i] = src[so + i] / divisor;
        }
    }

    // ------------------------------------------------------------------ standard attention

    @Override
    public void attention(VTensor out, VTensor q, VTensor k, VTensor v, int heads, int keyLength, VTensor maskMatrix,
                   VTensor biasMatrix) {
        int batch = q.shape().dim(0);
        int lq = q.shape().dim(1);
        int hidden = q.shape().dim(2);
        int d = hidden / heads;
        int bk = k.shape().dim(0);
        int cap = k.shape().dim(1);
        VTensor.Floats mask = maskMatrix == null ? null : maskMatrix.floats();
        VTensor.Floats bias = biasMatrix == null ? null : biasMatrix.floats();
        VTensor.Floats qd = q.floats();
        VTensor.Floats kd = k.floats();
        VTensor.Floats vd = v.floats();
        float[] y = out.f32();
        float sqrtD = (float) Math.sqrt(d);
        long work = 2L * batch * lq * keyLength * hidden;
        if (lq >= GEMM_MIN_QUERIES) {
            // Per (batch, head): S = Q' K^T and O = P V as GEMMs, softmax per row in between.
            backend.workers().run(batch * heads, work, u -> {
                int b = u / heads;
                int h = u % heads;
                int kvBase = (bk == 1 ? 0 : b) * cap * hidden;
                float[] qs = new float[lq * d];
                for (int i = 0; i < lq; i++) {
                    divide(qd.a(), qd.off() + (b * lq + i) * hidden + h * d, sqrtD, qs, i * d, d);
                }
                float[] s = new float[lq * keyLength];
                Gemm.multiply(Workers.SERIAL, true, lq, keyLength, d, new Operand(new Store.F32(qs), 0, d),
                        new Operand(new Store.F32(kd.a()), kd.off() + kvBase + h * d, hidden), true, s, 0, keyLength,
                        null, 0);
                for (int i = 0; i < lq; i++) {
                    if (bias != null) {
                        Norms.addInPlace(s, i * keyLength, bias.a(), bias.off() + i * keyLength, keyLength);
                    }
                    if (mask != null) {
                        Norms.maskInPlace(s, i * keyLength, mask.a(), mask.off() + i * keyLength, keyLength);
                    }
                    Norms.softmaxInPlace(s, i * keyLength, keyLength);
                }
                Gemm.multiply(Workers.SERIAL, true, lq, d, keyLength, new Operand(new Store.F32(s), 0, keyLength),
                        new Operand(new Store.F32(vd.a()), vd.off() + kvBase + h * d, hidden), false, y,
                        b * lq * hidden + h * d, hidden, null, 0);
            });
            return;
        }
        backend.workers().run(batch * lq * heads, work, u -> {
            int row = u / heads;
            int h = u % heads;
            int b = row / lq;
            int i = row % lq;
            int kvBase = (bk == 1 ? 0 : b) * cap * hidden + h * d;
            float[] qs = new float[d];
            float[] scores = new float[keyLength];
            divide(qd.a(), qd.off() + row * hidden + h * d, sqrtD, qs, 0, d);
            float[] ka = kd.a();
            int ko = kd.off() + kvBase;
            for (int j = 0; j < keyLength; j++) {
                scores[j] = dot(qs, 0, ka, ko + j * hidden, d);
            }
            if (bias != null) {
                Norms.addInPlace(scores, 0, bias.a(), bias.off() + i * keyLength, keyLength);
            }
            if (mask != null) {
                Norms.maskInPlace(scores, 0, mask.a(), mask.off() + i * keyLength, keyLength);
            }
            Norms.softmaxInPlace(scores, 0, keyLength);
            int yOff = row * hidden + h * d;
            float[] va = vd.a();
            int vo = vd.off() + kvBase;
            for (int j = 0; j < keyLength; j++) {
                axpy(scores[j], va, vo + j * hidden, y, yOff, d);
            }
        });
    }

    // ------------------------------------------------------------------ fused grid attention

    /**
     * Per batch entry, cell and head: context scores, self-window scores (-10000 outside a grid), one softmax, then
     * {@code out = (sum over in-grid self cells p v) + (sum over context keys p v0)}. Units are grid cells (all heads
     * of a cell in one unit).
     */
    @Override
    public void gridAttention(VTensor out, VTensor q, VTensor k, VTensor v, int heads, int side, LocalWindow selfWindow,
                       GridContext context) {
        int batch = q.shape().dim(0);
        int hidden = q.shape().dim(2);
        int d = hidden / heads;
        Context ctx = context(context, side);
        int selfCount = selfWindow.size();
        int total = ctx.count + selfCount;
        VTensor.Floats qd = q.floats();
        VTensor.Floats kd = k.floats();
        VTensor.Floats vd = v.floats();
        float[] y = out.f32();
        float sqrtD = (float) Math.sqrt(d);
        int cells = side * side;
        int[] dr = new int[selfCount];
        int[] dc = new int[selfCount];
        for (int t = 0; t < selfCount; t++) {
            dr[t] = selfWindow.rowOffset(t);
            dc[t] = selfWindow.colOffset(t);
        }
        backend.workers().run(batch * cells, 4L * batch * cells * total * hidden, row -> {
            float[] qs = new float[d];
            float[] scores = new float[total];
            float[] ctxPart = new float[d];
            int b = row / cells;
            int cell = row % cells;
            int r = cell / side;
            int c = cell % side;
            int gridBase = b * cells * hidden;
            float[] ka = kd.a();
            float[] va = vd.a();
            for (int h = 0; h < heads; h++) {
                divide(qd.a(), qd.off() + row * hidden + h * d, sqrtD, qs, 0, d);
                ctx.scores(qs, b, r, c, h, d, hidden, scores);
                for (int t = 0; t < selfCount; t++) {
                    int rr = r + dr[t];
                    int cc = c + dc[t];
                    scores[ctx.count + t] = inside(rr, cc, side, side)
                            ? dot(qs, 0, ka, kd.off() + gridBase + (rr * side + cc) * hidden + h * d, d)
                            : OUTSIDE;
                }
                Norms.softmaxInPlace(scores, 0, total);
                int yOff = row * hidden + h * d;
                for (int t = 0; t < selfCount; t++) {
                    int rr = r + dr[t];
                    int cc = c + dc[t];
                    if (inside(rr, cc, side, side)) {
                        axpy(scores[ctx.count + t], va, vd.off() + gridBase + (rr * side + cc) * hidden + h * d,
                                y, yOff, d);
                    }
                }
                Arrays.fill(ctxPart, 0f);
                ctx.weightedValues(scores, b, r, c, h, d, hidden, ctxPart);
                Norms.addInPlace(y, yOff, ctxPart, 0, d);
            }
        });
    }

    private abstract static class Context {
        final int count;

        Context(int count) {
            this.count = count;
        }

        abstract void scores(float[] qs, int b, int r, int c, int h, int d, int hidden, float[] scores);

        abstract void weightedValues(float[] probs, int b, int r, int c, int h, int d, int hidden, float[] acc);
    }

    /** The tensors of a checked context are live tensors of this backend. */
    private static Context context(GridContext context, int side) {
        return switch (context) {
            case GridContext.CrossGrid cross -> crossGrid(cross, side);
            case GridContext.GlobalKeys global -> globalKeys(global);
        };
    }

    private static Context crossGrid(GridContext.CrossGrid cross, int side) {
        int coarse = cross.side();
        VTensor k0 = (VTensor) cross.keys();
        VTensor v0 = (VTensor) cross.values();
        LocalWindow window = cross.window();
        int ratio = side / coarse;
        VTensor.Floats kd = k0.floats();
        VTensor.Floats vd = v0.floats();
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
                            ? dot(qs, 0, kd.a(), kd.off() + (b * cells + rr * coarse + cc) * hid + h * d, d)
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
                        axpy(probs[t], vd.a(), vd.off() + (b * cells + rr * coarse + cc) * hid + h * d, acc, 0, d);
                    }
                }
            }
        };
    }

    private static Context globalKeys(GridContext.GlobalKeys global) {
        VTensor k0 = (VTensor) global.keys();
        VTensor v0 = (VTensor) global.values();
        int n = k0.shape().dim(1);
        VTensor.Floats maskData = global.keyMask() == null ? null : ((VTensor) global.keyMask()).floats();
        VTensor.Floats kd = k0.floats();
        VTensor.Floats vd = v0.floats();
        return new Context(n) {
            @Override
            void scores(float[] qs, int b, int r, int c, int h, int d, int hid, float[] scores) {
                for (int j = 0; j < count; j++) {
                    float s = dot(qs, 0, kd.a(), kd.off() + (b * count + j) * hid + h * d, d);
                    if (maskData != null) {
                        float m = maskData.a()[maskData.off() + j];
                        s = s * m - 10000f * (1f - m);
                    }
                    scores[j] = s;
                }
            }

            @Override
            void weightedValues(float[] probs, int b, int r, int c, int h, int d, int hid, float[] acc) {
                for (int j = 0; j < count; j++) {
                    axpy(probs[j], vd.a(), vd.off() + (b * count + j) * hid + h * d, acc, 0, d);
                }
            }
        };
    }

    // ------------------------------------------------------------------ Image-Local-Attention primitives

    /** {@code similar}: channel sums (ascending, fused) per query cell and window entry; exactly -10000 outside. */
    @Override
    public void localSimilar(VTensor out, VTensor q, VTensor k, LocalWindow window) {
        Grids g = grids(q.shape(), k.shape());
        int p = window.size();
        VTensor.Floats qd = q.floats();
        VTensor.Floats kd = k.floats();
        float[] y = out.f32();
        int qPlane = g.hq * g.wq;
        int kPlane = g.hk * g.wk;
        backend.workers().run(g.n * g.hq, (long) g.n * qPlane * p * g.ch, row -> {
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
                    int qi = qd.off() + n * g.ch * qPlane + r * g.wq + c;
                    int ki = kd.off() + n * g.ch * kPlane + rr * g.wk + cc;
                    for (int ch = 0; ch < g.ch; ch++) {
                        acc = Math.fma(qd.a()[qi + ch * qPlane], kd.a()[ki + ch * kPlane], acc);
                    }
                    y[outOff + t] = acc;
                }
            }
        });
    }

    /** {@code weighting}: window sums (t ascending, fused) over the entries inside the key grid. */
    @Override
    public void localWeighting(VTensor out, VTensor w, VTensor v, LocalWindow window) {
        int p = window.size();
        Grids g = grids(out.shape(), v.shape());
        VTensor.Floats wd = w.floats();
        VTensor.Floats vd = v.floats();
        float[] y = out.f32();
        int kPlane = g.hk * g.wk;
        backend.workers().run(g.n * g.ch * g.hq, (long) g.n * g.ch * g.hq * g.wq * p, row -> {
            int r = row % g.hq;
            int ch = (row / g.hq) % g.ch;
            int n = row / (g.hq * g.ch);
            int anchorR = r / g.ratioH;
            for (int c = 0; c < g.wq; c++) {
                int anchorC = c / g.ratioW;
                int wOff = wd.off() + ((n * g.hq + r) * g.wq + c) * p;
                int vBase = vd.off() + (n * g.ch + ch) * kPlane;
                float acc = 0f;
                for (int t = 0; t < p; t++) {
                    int rr = anchorR + window.rowOffset(t);
                    int cc = anchorC + window.colOffset(t);
                    if (inside(rr, cc, g.hk, g.wk)) {
                        acc = Math.fma(wd.a()[wOff + t], vd.a()[vBase + rr * g.wk + cc], acc);
                    }
                }
                y[row * g.wq + c] = acc;
            }
        });
    }

    private record Grids(int n, int ch, int hq, int wq, int hk, int wk, int ratioH, int ratioW) {
    }

    /** The query grid {@code q} (an integer multiple of the key grid {@code k}, checked) and the key grid. */
    private static Grids grids(Shape q, Shape k) {
        int n = q.dim(0);
        int ch = q.dim(1);
        int hq = q.dim(2);
        int wq = q.dim(3);
        int hk = k.dim(2);
        int wk = k.dim(3);
        return new Grids(n, ch, hq, wq, hk, wk, hq / hk, wq / wk);
    }

    static boolean inside(int r, int c, int rows, int cols) {
        return r >= 0 && r < rows && c >= 0 && c < cols;
    }
}
