package org.cogview2.backend.reference;

import org.cogview2.spi.support.PrimitiveFamilies;
import org.cogview2.spi.support.MathFamilies;
import org.cogview2.spi.support.Args;

/** Normalisations, activations, softmax, {@code logSoftmaxGather} and {@code topK}. */
final class NormKernels implements MathFamilies.Norm<ReferenceTensor>, PrimitiveFamilies.Norm<ReferenceTensor> {

    /** fp32 value of PyTorch's {@code 0.7978845608028654} scalar (a double scalar is used as float by fp32 ops). */
    private static final float GELU_C = (float) 0.7978845608028654;
    private static final float GELU_A = (float) 0.044715;

    private final Parallel parallel;

    NormKernels(Parallel parallel) {
        this.parallel = parallel;
    }

    /**
     * LayerNorm over the last dimension. Statistics: {@code mean = sum(x) / h} and the biased
     * {@code var = sum((x - mean)^2) / h} are accumulated in double (index ascending) and rounded once, as
     * {@code mean} and {@code rstd = 1 / sqrt(var + eps)} to fp32; then per element in fp32
     * {@code y = ((x - mean) * rstd) * gamma + beta}. A double accumulator keeps the statistics as exact as
     * PyTorch's and a GPU's cascaded fp32 sums, so that fp32 backends agree with the reference within tolerance.
     */
    @Override
    public void layerNorm(ReferenceTensor out, ReferenceTensor x, ReferenceTensor gamma, ReferenceTensor beta, float eps) {
        int h = x.shape().dim(-1);
        ReferenceTensor.FloatData xd = x.floats();
        ReferenceTensor.FloatData gd = gamma.floats();
        ReferenceTensor.FloatData bd = beta.floats();
        float[] y = out.f32Array();
        int rows = Args.product(x.shape(), 0, x.shape().rank() - 1);
        parallel.forRows(rows, 4L * h, (from, to) -> {
            for (int r = from; r < to; r++) {
                normalize(xd.data(), xd.offset() + r * h, h, eps, y, r * h, gd, bd, 0, 1);
            }
        });
    }

    /**
     * GroupNorm of {@code [B, C, H, W]}: per sample and group of {@code C/groups} consecutive channels, mean and
     * biased variance over the group's {@code (C/groups)*H*W} values (accumulated in double, as in
     * {@link #layerNorm}), then per channel {@code y = ((x - mean) * rstd) * gamma[c] + beta[c]} in fp32.
     */
    @Override
    public void groupNorm(ReferenceTensor out, ReferenceTensor x, int groups, ReferenceTensor gamma, ReferenceTensor beta,
                   float eps) {
        int channels = x.shape().dim(1);
        int perGroup = channels / groups;
        int plane = x.shape().dim(2) * x.shape().dim(3);
        int groupSize = perGroup * plane;
        ReferenceTensor.FloatData xd = x.floats();
        ReferenceTensor.FloatData gd = gamma.floats();
        ReferenceTensor.FloatData bd = beta.floats();
        float[] y = out.f32Array();
        int rows = x.shape().dim(0) * groups;
        parallel.forRows(rows, 4L * groupSize, (from, to) -> {
            for (int r = from; r < to; r++) {
                int firstChannel = (r % groups) * perGroup;
                normalize(xd.data(), xd.offset() + r * groupSize, groupSize, eps, y, r * groupSize,
                        gd, bd, firstChannel, plane);
            }
        });
    }

    /**
     * Normalises {@code n} values starting at {@code x[xOff]} into {@code y[yOff]}; element i uses affine parameter
     * {@code firstParam + i / paramRun} (LayerNorm: run 1, one parameter per element; GroupNorm: one per channel
     * plane).
     */
    private static void normalize(float[] x, int xOff, int n, float eps, float[] y, int yOff,
                                  ReferenceTensor.FloatData gamma, ReferenceTensor.FloatData beta,
                                  int firstParam, int paramRun) {
        double sum = 0;
        for (int i = 0; i < n; i++) {
            sum += x[xOff + i];
        }
        double meanD = sum / n;
        double squares = 0;
        for (int i = 0; i < n; i++) {
            double d = x[xOff + i] - meanD;
            squares += d * d;
        }
        double var = squares / n;
        float mean = (float) meanD;
        float rstd = (float) (1.0 / Math.sqrt(var + eps));
        float[] g = gamma.data();
        float[] b = beta.data();
        for (int i = 0; i < n; i++) {
            int p = firstParam + i / paramRun;
            y[yOff + i] = ((x[xOff + i] - mean) * rstd) * g[gamma.offset() + p] + b[beta.offset() + p];
        }
    }

    /**
     * The tanh GELU evaluated op by op in fp32, as PyTorch evaluates
     * {@code 0.5 * x * (1.0 + torch.tanh(0.7978845608028654 * x * (1.0 + 0.044715 * x * x)))} left to right:
     * {@code (0.5x) * (1 + tanh((c x) * (1 + (a x) x)))} with the scalars rounded to fp32 and every operation
     * rounded to fp32 (tanh evaluated in double and rounded once).
     */
    @Override
    public void gelu(ReferenceTensor out, ReferenceTensor x) {
        elementwise(out, x, NormKernels::gelu);
    }

    static float gelu(float x) {
        float half = 0.5f * x;
        float inner = (GELU_C * x) * (1.0f + (GELU_A * x) * x);
        float t = (float) Math.tanh(inner);
        return half * (1.0f + t);
    }

    /** SiLU {@code x * sigmoid(x)}, evaluated as {@code x / (1 + exp(-x))} in fp32 (exp rounded once). */
    @Override
    public void silu(ReferenceTensor out, ReferenceTensor x) {
        elementwise(out, x, v -> v / (1f + FloatLoops.exp(-v)));
    }

    private void elementwise(ReferenceTensor out, ReferenceTensor x, FloatUnary f) {
        ReferenceTensor.FloatData xd = x.floats();
        float[] y = out.f32Array();
        int cols = x.shape().rank() == 0 ? 1 : Math.max(1, x.shape().dim(-1));
        int rows = y.length / cols;
        parallel.forRows(rows, 8L * cols, (from, to) -> {
            for (int i = from * cols; i < to * cols; i++) {
                y[i] = f.apply(xd.data()[xd.offset() + i]);
            }
        });
    }

    @FunctionalInterface
    private interface FloatUnary {
        float apply(float x);
    }

    /**
     * Softmax over the last dimension of {@code [..., Lq, Lk]}: {@code s = scores + bias} then
     * {@code s * m - 10000 * (1 - m)} (fp32), then {@link FloatLoops#softmaxInPlace}.
     */
    @Override
    public void softmax(ReferenceTensor out, ReferenceTensor s, ReferenceTensor maskIn, ReferenceTensor biasIn) {
        int lk = s.shape().dim(-1);
        int lq = maskIn != null || biasIn != null ? s.shape().dim(-2) : 1;
        ReferenceTensor.FloatData mask = maskIn == null ? null : maskIn.floats();
        ReferenceTensor.FloatData bias = biasIn == null ? null : biasIn.floats();
        ReferenceTensor.FloatData sd = s.floats();
        float[] y = out.f32Array();
        int rows = lk == 0 ? 0 : s.size() / lk;
        parallel.forRows(rows, 8L * lk, (from, to) -> {
            for (int r = from; r < to; r++) {
                int q = r % lq;
                for (int j = 0; j < lk; j++) {
                    float v = sd.data()[sd.offset() + r * lk + j];
                    if (bias != null) {
                        v = v + bias.data()[bias.offset() + q * lk + j];
                    }
                    if (mask != null) {
                        v = FloatLoops.mask(v, mask.data()[mask.offset() + q * lk + j]);
                    }
                    y[r * lk + j] = v;
                }
                FloatLoops.softmaxInPlace(y, r * lk, lk);
            }
        });
    }

    /**
     * {@code log(softmax(row)[target])} per row: the probability is computed as in {@link FloatLoops#softmaxInPlace}
     * and its natural log taken (in double, rounded once); a probability that underflows to 0 gives -infinity.
     */
    @Override
    public void logSoftmaxGather(ReferenceTensor out, ReferenceTensor logits, ReferenceTensor targets) {
        int m = logits.shape().dim(0);
        int v = logits.shape().dim(1);
        ReferenceTensor.IntData td = targets.ints();
        ReferenceTensor.FloatData ld = logits.floats();
        float[] y = out.f32Array();
        parallel.forRows(m, 4L * v, (from, to) -> {
            float[] row = new float[v];
            for (int r = from; r < to; r++) {
                System.arraycopy(ld.data(), ld.offset() + r * v, row, 0, v);
                FloatLoops.softmaxInPlace(row, 0, v);
                y[r] = (float) Math.log(row[td.data()[td.offset() + r]]);
            }
        });
    }

    /**
     * The k largest entries of every row, sorted descending; equal values keep the lower index first. NaN counts
     * as larger than every number (as in PyTorch); -0.0 and +0.0 are equal. Values are copied exactly.
     */
    @Override
    public void topK(ReferenceTensor values, ReferenceTensor indices, ReferenceTensor x, int kCount) {
        int v = x.shape().dim(-1);
        ReferenceTensor.FloatData xd = x.floats();
        float[] vals = values.f32Array();
        int[] idx = (int[]) indices.storage().array();
        int rows = v == 0 ? 0 : x.size() / v;
        parallel.forRows(rows, 4L * v, (from, to) -> {
            for (int r = from; r < to; r++) {
                selectTop(xd.data(), xd.offset() + r * v, v, kCount, vals, idx, r * kCount);
            }
        });
    }

    /**
     * Keeps a list of the best {@code k} seen so far, sorted; scanning indices in ascending order and inserting a
     * value only after every kept value it does not beat keeps equal values in index order.
     */
    private static void selectTop(float[] x, int off, int v, int k, float[] vals, int[] idx, int outOff) {
        if (k == 0) {
            return;
        }
        int kept = 0;
        for (int j = 0; j < v; j++) {
            float value = x[off + j];
            if (kept == k && !greater(value, vals[outOff + k - 1])) {
                continue;
            }
            // Position: after every kept value that is greater than or equal to this one.
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

    /** Strictly greater, with NaN above every number. */
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
