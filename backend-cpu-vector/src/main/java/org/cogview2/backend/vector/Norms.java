package org.cogview2.backend.vector;

import org.cogview2.spi.support.PrimitiveFamilies;
import org.cogview2.spi.support.MathFamilies;
import jdk.incubator.vector.DoubleVector;
import jdk.incubator.vector.FloatVector;
import org.cogview2.spi.support.Args;

import static org.cogview2.backend.vector.Simd.F;
import static org.cogview2.backend.vector.Simd.L;

/** Normalisations, activations, softmax, {@code logSoftmaxGather} and {@code topK}. */
final class Norms implements MathFamilies.Norm<VTensor>, PrimitiveFamilies.Norm<VTensor> {

    private static final float GELU_C = (float) 0.7978845608028654;
    private static final float GELU_A = (float) 0.044715;

    private final VectorBackend backend;

    Norms(VectorBackend backend) {
        this.backend = backend;
    }

    // ------------------------------------------------------------------ layerNorm / groupNorm

    @Override
    public void layerNorm(VTensor out, VTensor x, VTensor gamma, VTensor beta, float eps) {
        int h = x.shape().dim(-1);
        VTensor.Floats xd = x.floats();
        VTensor.Floats g = gamma.floats();
        VTensor.Floats b = beta.floats();
        float[] y = out.f32();
        int rows = (int) Args.longProduct(x.shape(), 0, x.shape().rank() - 1);
        backend.workers().run(rows, 4L * rows * h, r -> {
            float[] stats = stats(xd.a(), xd.off() + r * h, h, eps);
            normalize(xd.a(), xd.off() + r * h, y, r * h, h, stats[0], stats[1], g.a(), g.off(), b.a(), b.off());
        });
    }

    @Override
    public void groupNorm(VTensor out, VTensor x, int groups, VTensor gamma, VTensor beta, float eps) {
        int channels = x.shape().dim(1);
        int perGroup = channels / groups;
        int plane = x.shape().dim(2) * x.shape().dim(3);
        int groupSize = perGroup * plane;
        VTensor.Floats xd = x.floats();
        VTensor.Floats g = gamma.floats();
        VTensor.Floats b = beta.floats();
        float[] y = out.f32();
        int rows = x.shape().dim(0) * groups;
        backend.workers().run(rows, 4L * rows * groupSize, r -> {
            int base = r * groupSize;
            float[] stats = stats(xd.a(), xd.off() + base, groupSize, eps);
            int firstChannel = (r % groups) * perGroup;
            for (int c = 0; c < perGroup; c++) {
                int o = base + c * plane;
                affineConstant(xd.a(), xd.off() + o, y, o, plane, stats[0], stats[1],
                        g.a()[g.off() + firstChannel + c], b.a()[b.off() + firstChannel + c]);
            }
        });
    }

    /** {@code [mean, rstd]}: two passes, sums of lanes in double, rounded once to fp32 as the reference does. */
    private static float[] stats(float[] x, int off, int n, float eps) {
        DoubleVector acc = DoubleVector.zero(Simd.D);
        int i = 0;
        int bound = F.loopBound(n);
        for (; i < bound; i += L) {
            FloatVector v = FloatVector.fromArray(F, x, off + i);
            acc = Simd.addWidened(acc, v, 0);
            acc = Simd.addWidened(acc, v, 1);
        }
        double sum = Simd.sum(acc);
        for (; i < n; i++) {
            sum += x[off + i];
        }
        double mean = sum / n;
        DoubleVector sq = DoubleVector.zero(Simd.D);
        DoubleVector mv = DoubleVector.broadcast(Simd.D, mean);
        for (i = 0; i < bound; i += L) {
            FloatVector v = FloatVector.fromArray(F, x, off + i);
            for (int part = 0; part < 2; part++) {
                DoubleVector d = ((DoubleVector) v.convertShape(jdk.incubator.vector.VectorOperators.F2D, Simd.D, part)).sub(mv);
                sq = d.fma(d, sq);
            }
        }
        double squares = Simd.sum(sq);
        for (; i < n; i++) {
            double d = x[off + i] - mean;
            squares += d * d;
        }
        double var = squares / n;
        return new float[]{(float) mean, (float) (1.0 / Math.sqrt(var + eps))};
    }

    /** {@code y = ((x - mean) * rstd) * gamma[i] + beta[i]}, each operation rounded to fp32. */
    private static void normalize(float[] x, int xo, float[] y, int yo, int n, float mean, float rstd,
                                  float[] g, int go, float[] b, int bo) {
        int i = 0;
        for (int bound = F.loopBound(n); i < bound; i += L) {
            FloatVector.fromArray(F, x, xo + i).sub(mean).mul(rstd).mul(FloatVector.fromArray(F, g, go + i))
                    .add(FloatVector.fromArray(F, b, bo + i)).intoArray(y, yo + i);
        }
        for (; i < n; i++) {
            y[yo + i] = ((x[xo + i] - mean) * rstd) * g[go + i] + b[bo + i];
        }
    }

    private static void affineConstant(float[] x, int xo, float[] y, int yo, int n, float mean, float rstd,
                                       float g, float b) {
        int i = 0;
        for (int bound = F.loopBound(n); i < bound; i += L) {
            FloatVector.fromArray(F, x, xo + i).sub(mean).mul(rstd).mul(g).add(b).intoArray(y, yo + i);
        }
        for (; i < n; i++) {
            y[yo + i] = ((x[xo + i] - mean) * rstd) * g + b;
        }
    }

    // ------------------------------------------------------------------ activations

    /** {@code (0.5x) * (1 + tanh((c x) * (1 + (a x) x)))} in fp32 with this backend's vector tanh. */
    @Override
    public void gelu(VTensor out, VTensor x) {
        elementwise(out, x, true);
    }

    /** {@code x / (1 + exp(-x))} in fp32 with this backend's vector exp. */
    @Override
    public void silu(VTensor out, VTensor x) {
        elementwise(out, x, false);
    }

    private void elementwise(VTensor out, VTensor x, boolean gelu) {
        VTensor.Floats xd = x.floats();
        float[] y = out.f32();
        int n = y.length;
        int chunk = 1 << 13;
        int units = (n + chunk - 1) / chunk;
        backend.workers().run(units, 16L * n, u -> {
            int from = u * chunk;
            int to = Math.min(n, from + chunk);
            float[] src = xd.a();
            int so = xd.off();
            int i = from;
            for (int bound = from + F.loopBound(to - from); i < bound; i += L) {
                FloatVector v = FloatVector.fromArray(F, src, so + i);
                (gelu ? gelu(v) : silu(v)).intoArray(y, i);
            }
            if (i < to) {
                var m = F.indexInRange(i, to);
                FloatVector v = FloatVector.fromArray(F, src, so + i, m);
                (gelu ? gelu(v) : silu(v)).intoArray(y, i, m);
            }
        });
    }

    static FloatVector gelu(FloatVector x) {
        FloatVector half = x.mul(0.5f);
        FloatVector inner = x.mul(GELU_C).mul(x.mul(GELU_A).mul(x).add(1f));
        return half.mul(Simd.tanh(inner).add(1f));
    }

    static FloatVector silu(FloatVector x) {
        return x.div(Simd.exp(x.neg()).add(1f));
    }

    // ------------------------------------------------------------------ softmax

    @Override
    public void softmax(VTensor out, VTensor s, VTensor maskMatrix, VTensor biasMatrix) {
        int lk = s.shape().dim(-1);
        int lq = maskMatrix != null || biasMatrix != null ? s.shape().dim(-2) : 1;
        VTensor.Floats mask = maskMatrix == null ? null : maskMatrix.floats();
        VTensor.Floats bias = biasMatrix == null ? null : biasMatrix.floats();
        VTensor.Floats sd = s.floats();
        float[] y = out.f32();
        int rows = lk == 0 ? 0 : s.size() / lk;
        backend.workers().run(rows, 8L * rows * lk, r -> {
            int q = r % lq;
            System.arraycopy(sd.a(), sd.off() + r * lk, y, r * lk, lk);
            if (bias != null) {
                addInPlace(y, r * lk, bias.a(), bias.off() + q * lk, lk);
            }
            if (mask != null) {
                maskInPlace(y, r * lk, mask.a(), mask.off() + q * lk, lk);
            }
            softmaxInPlace(y, r * lk, lk);
        });
    }

    static void addInPlace(float[] s, int so, float[] b, int bo, int n) {
        int i = 0;
        for (int bound = F.loopBound(n); i < bound; i += L) {
            FloatVector.fromArray(F, s, so + i).add(FloatVector.fromArray(F, b, bo + i)).intoArray(s, so + i);
        }
        for (; i < n; i++) {
            s[so + i] = s[so + i] + b[bo + i];
        }
    }

    /** SAT's 0/1 masking {@code s * m - 10000 * (1 - m)}, each operation in fp32. */
    static void maskInPlace(float[] s, int so, float[] m, int mo, int n) {
        int i = 0;
        for (int bound = F.loopBound(n); i < bound; i += L) {
            FloatVector mv = FloatVector.fromArray(F, m, mo + i);
            FloatVector.fromArray(F, s, so + i).mul(mv)
                    .sub(FloatVector.broadcast(F, 1f).sub(mv).mul(10000f)).intoArray(s, so + i);
        }
        for (; i < n; i++) {
            s[so + i] = s[so + i] * m[mo + i] - 10000f * (1f - m[mo + i]);
        }
    }

    /**
     * Softmax of {@code s[off .. off+n)} in place: {@code e_j = exp(s_j - max)}, the sum of the e_j accumulated in
     * double lanes and rounded once to fp32, {@code p_j = e_j / sum} in fp32.
     */
    static void softmaxInPlace(float[] s, int off, int n) {
        if (n == 0) {
            return;
        }
        int bound = F.loopBound(n);
        FloatVector mv = FloatVector.broadcast(F, Float.NEGATIVE_INFINITY);
        int i = 0;
        for (; i < bound; i += L) {
            mv = mv.max(FloatVector.fromArray(F, s, off + i));
        }
        float max = Simd.max(mv);
        for (; i < n; i++) {
            max = Math.max(max, s[off + i]);
        }
        double tail = 0;
        for (i = 0; i < bound; i += L) {
            Simd.exp(FloatVector.fromArray(F, s, off + i).sub(max)).intoArray(s, off + i);
        }
        // Summed in a pass of its own method: in this one, with the exp polynomial inlined, C2 reaches its inlining
        // node limit and would call the widening add out of line, boxing a vector per call.
        double vectorSum = sumWidened(s, off, bound);
        if (i < n) {
            var m = F.indexInRange(i, n);
            FloatVector e = Simd.exp(FloatVector.fromArray(F, s, off + i, m).sub(max));
            e.intoArray(s, off + i, m);
            for (int j = i; j < n; j++) {
                tail += s[off + j];
            }
        }
        float sum = (float) (vectorSum + tail);
        for (i = 0; i < bound; i += L) {
            FloatVector.fromArray(F, s, off + i).div(sum).intoArray(s, off + i);
        }
        for (; i < n; i++) {
            s[off + i] = s[off + i] / sum;
        }
    }

    /** The lanes of {@code s[off .. off+bound)} ({@code bound} a multiple of L) widened and summed in double. */
    private static double sumWidened(float[] s, int off, int bound) {
        DoubleVector acc = DoubleVector.zero(Simd.D);
        for (int i = 0; i < bound; i += L) {
            FloatVector e = FloatVector.fromArray(F, s, off + i);
            acc = Simd.addWidened(acc, e, 0);
            acc = Simd.addWidened(acc, e, 1);
        }
        return Simd.sum(acc);
    }

    // ------------------------------------------------------------------ logSoftmaxGather

    /**
     * {@code log(p_t)} per row with {@code p_t = e_t / sum}: max and sum vectorised (sum in double lanes); e_t as the
     * reference computes it ({@code exp} in double rounded once), so that an underflowing probability gives exactly
     * -infinity in the same cases.
     */
    @Override
    public void logSoftmaxGather(VTensor out, VTensor logits, VTensor targets) {
        int m = logits.shape().dim(0);
        int v = logits.shape().dim(1);
        VTensor.Ints td = targets.ints();
        VTensor.Floats ld = logits.floats();
        float[] y = out.f32();
        backend.workers().run(m, 8L * m * v, r -> {
            float[] x = ld.a();
            int off = ld.off() + r * v;
            int bound = F.loopBound(v);
            FloatVector mv = FloatVector.broadcast(F, Float.NEGATIVE_INFINITY);
            int i = 0;
            for (; i < bound; i += L) {
                mv = mv.max(FloatVector.fromArray(F, x, off + i));
            }
            float max = Simd.max(mv);
            for (; i < v; i++) {
                max = Math.max(max, x[off + i]);
            }
            DoubleVector acc = DoubleVector.zero(Simd.D);
            for (i = 0; i < bound; i += L) {
                FloatVector e = Simd.exp(FloatVector.fromArray(F, x, off + i).sub(max));
                acc = Simd.addWidened(acc, e, 0);
                acc = Simd.addWidened(acc, e, 1);
            }
            double sum = Simd.sum(acc);
            for (; i < v; i++) {
                sum += Simd.exp(x[off + i] - max);
            }
            float et = (float) Math.exp(x[off + td.a()[td.off() + r]] - max);
            y[r] = (float) Math.log((float) (et / sum));
        });
    }

    // ------------------------------------------------------------------ topK

    /** The k largest per row, sorted descending, ties by lower index, NaN above every number (as the reference). */
    @Override
    public void topK(VTensor values, VTensor indices, VTensor x, int kCount) {
        int v = x.shape().dim(-1);
        VTensor.Floats xd = x.floats();
        float[] vals = values.f32();
        int[] idx = ((Store.I32) indices.store()).a();
        int rows = v == 0 ? 0 : x.size() / v;
        backend.workers().run(rows, 4L * rows * v, r -> select(xd.a(), xd.off() + r * v, v, kCount, vals, idx, r * kCount));
    }

    private static void select(float[] x, int off, int v, int k, float[] vals, int[] idx, int outOff) {
        if (k == 0) {
            return;
        }
        int kept = 0;
        for (int j = 0; j < v; j++) {
            float value = x[off + j];
            if (kept == k && !greater(value, vals[outOff + k - 1])) {
                continue;
            }
            int lo = 0;
            int hi = kept;
            while (lo < hi) {
                int mid = (lo + hi) >>> 1;
                if (greater(value, vals[outOff + mid])) {
                    hi = mid;
                } else {
                    lo = mid + 1;
                }
            }
            int moved = Math.min(kept, k - 1) - lo;
            if (moved > 0) {
                System.arraycopy(vals, outOff + lo, vals, outOff + lo + 1, moved);
                System.arraycopy(idx, outOff + lo, idx, outOff + lo + 1, moved);
            }
            vals[outOff + lo] = value;
            idx[outOff + lo] = j;
            if (kept < k) {
                kept++;
            }
        }
    }

    private static boolean greater(float a, float b) {
        if (Float.isNaN(a)) {
            return !Float.isNaN(b);
        }
        if (Float.isNaN(b)) {
            return false;
        }
        return a > b;
    }
}
