package org.cogview2.backend.reference;

import org.cogview2.spi.DType;
import org.cogview2.spi.Shape;
import org.cogview2.spi.Tensor;
import org.cogview2.spi.TensorScope;

/** {@code linear}, {@code matmul}, {@code add}, {@code scale} and {@code cast}. */
final class DenseKernels {

    private final ReferenceBackend backend;

    DenseKernels(ReferenceBackend backend) {
        this.backend = backend;
    }

    /**
     * {@code y[m][n] = (sum_k x[m][k] * w[n][k]) + bias[n]}: the dot product is an fp32 sum, k ascending; the bias is
     * added afterwards. The weight is widened (exactly) and transposed once per call so that the inner loop runs
     * over n.
     */
    Tensor linear(TensorScope into, Tensor xIn, Tensor weightIn, Tensor biasIn) {
        String k = "linear";
        ReferenceScope scope = backend.ownScope(k, into);
        ReferenceTensor x = backend.own(k, "x", xIn);
        ReferenceTensor w = backend.own(k, "weight", weightIn);
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
        ReferenceTensor bias = null;
        if (biasIn != null) {
            bias = backend.own(k, "bias", biasIn);
            Args.floating(k, "bias", bias);
            Args.shape(k, "bias", bias, Shape.of(n), "(one per output feature of weight " + w.shape() + ")");
        }
        int rows = Args.product(x.shape(), 0, x.shape().rank() - 1);
        ReferenceTensor out = scope.allocateF32(x.shape().withDim(-1, n));
        float[] wt = transposedWeight(w, n, inner);
        ReferenceTensor.FloatData bd = bias == null ? null : bias.floats();
        ReferenceTensor.FloatData xd = x.floats();
        float[] y = out.f32Array();
        backend.parallel().forRows(rows, (long) inner * n, (from, to) -> {
            FloatLoops.matmulRows(xd.data(), xd.offset(), wt, 0, y, 0, inner, n, from, to);
            if (bd != null) {
                for (int m = from; m < to; m++) {
                    for (int j = 0; j < n; j++) {
                        y[m * n + j] = y[m * n + j] + bd.data()[bd.offset() + j];
                    }
                }
            }
        });
        return out;
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
    Tensor matmul(TensorScope into, Tensor aIn, Tensor bIn, boolean transposeB) {
        String k = "matmul";
        ReferenceScope scope = backend.ownScope(k, into);
        ReferenceTensor a = backend.own(k, "a", aIn);
        ReferenceTensor b = backend.own(k, "b", bIn);
        Args.f32(k, "a", a);
        Args.f32(k, "b", b);
        Args.minRank(k, "a", a, 2, "[..., M, K]");
        Args.rank(k, "b", b, a.shape().rank(), transposeB ? "[..., N, K] (same rank as a)" : "[..., K, N] (same rank as a)");
        int rank = a.shape().rank();
        for (int i = 0; i < rank - 2; i++) {
            if (a.shape().dim(i) != b.shape().dim(i)) {
                throw Args.fail(k, "b must have the leading dimensions of a " + a.shape() + ", got " + b.describe());
            }
        }
        int m = a.shape().dim(-2);
        int inner = a.shape().dim(-1);
        int bInner = transposeB ? b.shape().dim(-1) : b.shape().dim(-2);
        int n = transposeB ? b.shape().dim(-2) : b.shape().dim(-1);
        if (bInner != inner) {
            throw Args.fail(k, "b must have " + (transposeB ? "[..., N, K]" : "[..., K, N]") + " with K = " + inner
                    + " (the last dimension of a " + a.shape() + "), got " + b.describe());
        }
        int batches = Args.product(a.shape(), 0, rank - 2);
        Shape outShape = a.shape().withDim(-1, n);
        ReferenceTensor out = scope.allocateF32(outShape);
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
        backend.parallel().forRows(batches * m, (long) inner * n, (from, to) -> {
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
        return out;
    }

    /** {@code a + b} in fp32; b has a's shape or a suffix of it (repeated over a's leading dimensions). */
    Tensor add(TensorScope into, Tensor aIn, Tensor bIn) {
        String k = "add";
        ReferenceScope scope = backend.ownScope(k, into);
        ReferenceTensor a = backend.own(k, "a", aIn);
        ReferenceTensor b = backend.own(k, "b", bIn);
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
        ReferenceTensor out = scope.allocateF32(a.shape());
        ReferenceTensor.FloatData ad = a.floats();
        ReferenceTensor.FloatData bd = b.floats();
        float[] y = out.f32Array();
        int period = b.count();
        int rows = period == 0 ? 0 : a.count() / period;
        backend.parallel().forRows(rows, period, (from, to) -> {
            for (int r = from; r < to; r++) {
                for (int i = 0; i < period; i++) {
                    y[r * period + i] = ad.data()[ad.offset() + r * period + i] + bd.data()[bd.offset() + i];
                }
            }
        });
        return out;
    }

    /** {@code x * factor}, one fp32 multiplication per element. */
    Tensor scale(TensorScope into, Tensor xIn, float factor) {
        String k = "scale";
        ReferenceScope scope = backend.ownScope(k, into);
        ReferenceTensor x = backend.own(k, "x", xIn);
        Args.f32(k, "x", x);
        ReferenceTensor out = scope.allocateF32(x.shape());
        ReferenceTensor.FloatData xd = x.floats();
        float[] y = out.f32Array();
        for (int i = 0; i < y.length; i++) {
            y[i] = xd.data()[xd.offset() + i] * factor;
        }
        return out;
    }

    /**
     * Conversion between dtypes. Floating to F16/BF16 rounds to nearest even (overflow gives infinity, NaN stays
     * NaN); floating to F32 is exact widening. Floating to an integer type truncates toward zero (NaN gives 0,
     * values beyond the range saturate, as Java's casts do). An integer to a floating type rounds to nearest even
     * through fp32; I64 to I32 keeps the low 32 bits (as a C cast does); I32 to I64 is exact.
     */
    Tensor cast(TensorScope into, Tensor xIn, DType dtype) {
        String k = "cast";
        ReferenceScope scope = backend.ownScope(k, into);
        ReferenceTensor x = backend.own(k, "x", xIn);
        if (dtype == null) {
            throw Args.fail(k, "dtype must not be null");
        }
        int n = x.count();
        ReferenceTensor out = scope.allocate(dtype, x.shape());
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
        return out;
    }
}
