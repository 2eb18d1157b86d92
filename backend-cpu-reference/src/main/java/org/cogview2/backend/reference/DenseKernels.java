package org.cogview2.backend.reference;

import org.cogview2.spi.support.PrimitiveFamilies;
import org.cogview2.spi.support.MathFamilies;
import org.cogview2.spi.DType;
import org.cogview2.spi.Shape;
import org.cogview2.spi.support.Args;

/** {@code linear}, {@code matmul}, {@code add}, {@code scale} and {@code cast}. */
final class DenseKernels implements MathFamilies.Dense<ReferenceTensor>, PrimitiveFamilies.Dense<ReferenceTensor> {

    private final Parallel parallel;

    DenseKernels(Parallel parallel) {
        this.parallel = parallel;
    }

    /**
     * {@code y[m][n] = (sum_k x[m][k] * w[n][k]) + bias[n]}: the dot product is an fp32 sum, k ascending; the bias is
     * added afterwards. The weight is widened (exactly) and transposed once per call so that the inner loop runs
     * over n.
     */
    @Override
    public void linear(ReferenceTensor out, ReferenceTensor x, ReferenceTensor w, ReferenceTensor bias) {
        int inner = x.shape().dim(-1);
        int n = w.shape().dim(0);
        int rows = Args.product(x.shape(), 0, x.shape().rank() - 1);
        float[] wt = transposedWeight(w, n, inner);
        ReferenceTensor.FloatData bd = bias == null ? null : bias.floats();
        ReferenceTensor.FloatData xd = x.floats();
        float[] y = out.f32Array();
        parallel.forRows(rows, (long) inner * n, (from, to) -> {
            FloatLoops.matmulRows(xd.data(), xd.offset(), wt, 0, y, 0, inner, n, from, to);
            if (bd != null) {
                for (int m = from; m < to; m++) {
                    for (int j = 0; j < n; j++) {
                        y[m * n + j] = y[m * n + j] + bd.data()[bd.offset() + j];
                    }
                }
            }
        });
    }

    /** The weight {@code [N, K]} widened to fp32 and transposed to {@code [K, N]}. */
    private static float[] transposedWeight(ReferenceTensor w, int n, int inner) {
        float[] wt = new float[n * inner];
        float[] row = new float[inner];
        for (int j = 0; j < n; j++) {
            w.storage().readFloats(w.offset() + (long) j * inner, row, 0, inner);
            for (int i = 0; i < inner; i++) {
                wt[i * n + j] = row[i];
            }
        }
        return wt;
    }

    /**
     * Batched {@code a . b} (or {@code a . b^T}): every element is an fp32 sum over k ascending. Leading dimensions
     * must be equal (no broadcasting).
     */
    @Override
    public void matmul(ReferenceTensor out, ReferenceTensor a, ReferenceTensor b, boolean transposeB) {
        int rank = a.shape().rank();
        int m = a.shape().dim(-2);
        int inner = a.shape().dim(-1);
        int n = transposeB ? b.shape().dim(-2) : b.shape().dim(-1);
        int batches = Args.product(a.shape(), 0, rank - 2);
        ReferenceTensor.FloatData ad = a.floats();
        ReferenceTensor.FloatData bd = b.floats();
        float[] bk;
        int bOff;
        if (transposeB) {
            bk = new float[batches * inner * n];
            bOff = 0;
            for (int t = 0; t < batches; t++) {
                int src = bd.offset() + t * n * inner;
                int dst = t * inner * n;
                for (int j = 0; j < n; j++) {
                    for (int i = 0; i < inner; i++) {
                        bk[dst + i * n + j] = bd.data()[src + j * inner + i];
                    }
                }
            }
        } else {
            bk = bd.data();
            bOff = bd.offset();
        }
        float[] c = out.f32Array();
        parallel.forRows(batches * m, (long) inner * n, (from, to) -> {
            // A block of rows may span several batch entries: split it at the batch boundaries.
            int row = from;
            while (row < to) {
                int t = row / Math.max(1, m);
                int end = Math.min(to, (t + 1) * m);
                FloatLoops.matmulRows(ad.data(), ad.offset() + t * m * inner, bk, bOff + t * inner * n,
                        c, t * m * n, inner, n, row - t * m, end - t * m);
                row = end;
            }
        });
    }

    /** {@code a + b} in fp32; b has a's shape or a suffix of it (repeated over a's leading dimensions). */
    @Override
    public void add(ReferenceTensor out, ReferenceTensor a, ReferenceTensor b) {
        ReferenceTensor.FloatData ad = a.floats();
        ReferenceTensor.FloatData bd = b.floats();
        float[] y = out.f32Array();
        int period = b.size();
        int rows = period == 0 ? 0 : a.size() / period;
        parallel.forRows(rows, period, (from, to) -> {
            for (int r = from; r < to; r++) {
                for (int i = 0; i < period; i++) {
                    y[r * period + i] = ad.data()[ad.offset() + r * period + i] + bd.data()[bd.offset() + i];
                }
            }
        });
    }

    /** {@code x * factor}, one fp32 multiplication per element. */
    @Override
    public void scale(ReferenceTensor out, ReferenceTensor x, float factor) {
        ReferenceTensor.FloatData xd = x.floats();
        float[] y = out.f32Array();
        for (int i = 0; i < y.length; i++) {
            y[i] = xd.data()[xd.offset() + i] * factor;
        }
    }

    /**
     * Conversion between dtypes. Floating to F16/BF16 rounds to nearest even (overflow gives infinity, NaN stays
     * NaN); floating to F32 is exact widening. Floating to an integer type truncates toward zero (NaN gives 0,
     * values beyond the range saturate, as Java's casts do). An integer to a floating type rounds to nearest even
     * through fp32; I64 to I32 keeps the low 32 bits (as a C cast does); I32 to I64 is exact.
     */
    @Override
    public void cast(ReferenceTensor out, ReferenceTensor x) {
        DType dtype = out.dtype();
        int n = x.size();
        Object dst = out.storage().array();
        if (x.dtype().isFloating()) {
            ReferenceTensor.FloatData xd = x.floats();
            float[] src = xd.data();
            int o = xd.offset();
            switch (dtype) {
                case F32 -> System.arraycopy(src, o, (float[]) dst, 0, n);
                case F16, BF16 -> {
                    short[] bits = (short[]) dst;
                    for (int i = 0; i < n; i++) {
                        bits[i] = HalfFloats.narrow(src[o + i], dtype);
                    }
                }
                case I32 -> {
                    int[] ints = (int[]) dst;
                    for (int i = 0; i < n; i++) {
                        ints[i] = (int) src[o + i];
                    }
                }
                case I64 -> {
                    long[] longs = (long[]) dst;
                    for (int i = 0; i < n; i++) {
                        longs[i] = (long) src[o + i];
                    }
                }
            }
        } else {
            long[] v = new long[n];
            if (x.storage() instanceof Storage.I64(long[] values)) {
                System.arraycopy(values, (int) x.offset(), v, 0, n);
            } else if (x.storage() instanceof Storage.Mapped mapped && mapped.dtype() == DType.I64) {
                v = ((Storage.I64) mapped.copyToHeap(x.offset(), n)).values();
            } else {
                ReferenceTensor.IntData ints = x.ints();
                for (int i = 0; i < n; i++) {
                    v[i] = ints.data()[ints.offset() + i];
                }
            }
            switch (dtype) {
                case F32 -> {
                    float[] f = (float[]) dst;
                    for (int i = 0; i < n; i++) {
                        f[i] = (float) v[i];
                    }
                }
                case F16, BF16 -> {
                    short[] bits = (short[]) dst;
                    for (int i = 0; i < n; i++) {
                        bits[i] = HalfFloats.narrow((float) v[i], dtype);
                    }
                }
                case I32 -> {
                    int[] ints = (int[]) dst;
                    for (int i = 0; i < n; i++) {
                        ints[i] = (int) v[i];
                    }
                }
                case I64 -> System.arraycopy(v, 0, (long[]) dst, 0, n);
            }
        }
    }
}
