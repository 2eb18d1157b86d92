package org.cogview2.backend.vector;

import jdk.incubator.vector.FloatVector;
import org.cogview2.spi.DType;
import org.cogview2.spi.Shape;
import org.cogview2.spi.Tensor;
import org.cogview2.spi.TensorScope;

/** {@code linear} and {@code matmul} on {@link Gemm}; vectorised {@code add} and {@code scale}; {@code cast}. */
final class Dense {

    private final VectorBackend backend;

    Dense(VectorBackend backend) {
        this.backend = backend;
    }

    Tensor linear(TensorScope into, Tensor xIn, Tensor weightIn, Tensor biasIn) {
        String k = "linear";
        VScope scope = backend.ownScope(k, into);
        VTensor x = backend.own(k, "x", xIn);
        VTensor w = backend.own(k, "weight", weightIn);
        Checks.f32(k, "x", x);
        Checks.minRank(k, "x", x, 1, "[..., K]");
        Checks.floating(k, "weight", w);
        Checks.rank(k, "weight", w, 2, "[N, K]");
        int inner = x.shape().dim(-1);
        int n = w.shape().dim(0);
        if (w.shape().dim(1) != inner) {
            throw Checks.fail(k, "weight must have shape [N, K] with K = " + inner + " (the last dimension of x "
                    + x.shape() + "), got " + w.describe());
        }
        VTensor bias = backend.ownOptional(k, "bias", biasIn);
        if (bias != null) {
            Checks.floating(k, "bias", bias);
            Checks.shape(k, "bias", bias, Shape.of(n), "(one per output feature of weight " + w.shape() + ")");
        }
        int rows = Checks.product(x.shape(), 0, x.shape().rank() - 1);
        VTensor out = scope.allocateF32(x.shape().withDim(-1, n));
        VTensor.Floats b = bias == null ? null : bias.floats();
        Gemm.multiply(backend.workers(), backend.shareable(x, w), rows, n, inner, Operand.of(x, 0, inner),
                Operand.of(w, 0, inner), true, out.f32(), 0, n, b == null ? null : b.a(), b == null ? 0 : b.off());
        return out;
    }

    Tensor matmul(TensorScope into, Tensor aIn, Tensor bIn, boolean transposeB) {
        String k = "matmul";
        VScope scope = backend.ownScope(k, into);
        VTensor a = backend.own(k, "a", aIn);
        VTensor b = backend.own(k, "b", bIn);
        Checks.f32(k, "a", a);
        Checks.f32(k, "b", b);
        Checks.minRank(k, "a", a, 2, "[..., M, K]");
        Checks.rank(k, "b", b, a.shape().rank(), transposeB ? "[..., N, K] (same rank as a)" : "[..., K, N] (same rank as a)");
        int rank = a.shape().rank();
        for (int i = 0; i < rank - 2; i++) {
            if (a.shape().dim(i) != b.shape().dim(i)) {
                throw Checks.fail(k, "b must have the leading dimensions of a " + a.shape() + ", got " + b.describe());
            }
        }
        int m = a.shape().dim(-2);
        int inner = a.shape().dim(-1);
        int bInner = transposeB ? b.shape().dim(-1) : b.shape().dim(-2);
        int n = transposeB ? b.shape().dim(-2) : b.shape().dim(-1);
        if (bInner != inner) {
            throw Checks.fail(k, "b must have " + (transposeB ? "[..., N, K]" : "[..., K, N]") + " with K = " + inner
                    + " (the last dimension of a " + a.shape() + "), got " + b.describe());
        }
        int batches = Checks.product(a.shape(), 0, rank - 2);
        VTensor out = scope.allocateF32(a.shape().withDim(-1, n));
        float[] c = out.f32();
        boolean share = backend.shareable(a, b);
        for (int t = 0; t < batches; t++) {
            Gemm.multiply(backend.workers(), share, m, n, inner, Operand.of(a, (long) t * m * inner, inner),
                    Operand.of(b, (long) t * inner * n, transposeB ? inner : n), transposeB, c, t * m * n, n, null, 0);
        }
        return out;
    }

    /** {@code a + b} (b broadcast over a's leading dimensions): one fp32 addition per element, exact. */
    Tensor add(TensorScope into, Tensor aIn, Tensor bIn) {
        String k = "add";
        VScope scope = backend.ownScope(k, into);
        VTensor a = backend.own(k, "a", aIn);
        VTensor b = backend.own(k, "b", bIn);
        Checks.f32(k, "a", a);
        Checks.floating(k, "b", b);
        int ra = a.shape().rank();
        int rb = b.shape().rank();
        boolean suffix = rb <= ra;
        for (int i = 0; suffix && i < rb; i++) {
            suffix = a.shape().dim(ra - rb + i) == b.shape().dim(i);
        }
        if (!suffix) {
            throw Checks.fail(k, "b must have the shape of a " + a.shape() + " or a suffix of it, got " + b.describe());
        }
        VTensor out = scope.allocateF32(a.shape());
        VTensor.Floats ad = a.floats();
        VTensor.Floats bd = b.floats();
        float[] y = out.f32();
        int period = b.count();
        int rows = period == 0 ? 0 : a.count() / period;
        int block = Math.max(1, (1 << 14) / Math.max(1, period));
        int units = (rows + block - 1) / block;
        backend.workers().run(units, (long) rows * period, u -> {
            for (int r = u * block; r < Math.min(rows, (u + 1) * block); r++) {
                addRow(ad.a(), ad.off() + r * period, bd.a(), bd.off(), y, r * period, period);
            }
        });
        return out;
    }

    private static void addRow(float[] a, int ao, float[] b, int bo, float[] y, int yo, int n) {
        int i = 0;
        for (int bound = Simd.F.loopBound(n); i < bound; i += Simd.L) {
            FloatVector.fromArray(Simd.F, a, ao + i).add(FloatVector.fromArray(Simd.F, b, bo + i)).intoArray(y, yo + i);
        }
        for (; i < n; i++) {
            y[yo + i] = a[ao + i] + b[bo + i];
        }
    }

    /** {@code x * factor}: one fp32 multiplication per element, exact. */
    Tensor scale(TensorScope into, Tensor xIn, float factor) {
        String k = "scale";
        VScope scope = backend.ownScope(k, into);
        VTensor x = backend.own(k, "x", xIn);
        Checks.f32(k, "x", x);
        VTensor out = scope.allocateF32(x.shape());
        VTensor.Floats xd = x.floats();
        float[] y = out.f32();
        int n = y.length;
        int chunk = 1 << 15;
        int units = (n + chunk - 1) / chunk;
        backend.workers().run(units, n, u -> {
            int from = u * chunk;
            int to = Math.min(n, from + chunk);
            int i = from;
            for (int bound = from + Simd.F.loopBound(to - from); i < bound; i += Simd.L) {
                FloatVector.fromArray(Simd.F, xd.a(), xd.off() + i).mul(factor).intoArray(y, i);
            }
            for (; i < to; i++) {
                y[i] = xd.a()[xd.off() + i] * factor;
            }
        });
        return out;
    }

    /**
     * Floating to F16/BF16 rounds to nearest even; to F32 widens exactly; to an integer type truncates toward zero
     * (Java's saturating cast, NaN to 0). Integers to floating round through fp32; I64 to I32 keeps the low 32 bits.
     */
    Tensor cast(TensorScope into, Tensor xIn, DType dtype) {
        String k = "cast";
        VScope scope = backend.ownScope(k, into);
        VTensor x = backend.own(k, "x", xIn);
        if (dtype == null) {
            throw Checks.fail(k, "dtype must not be null");
        }
        int n = x.count();
        VTensor out = scope.allocate(dtype, x.shape());
        Store dst = out.store();
        if (x.dtype().isFloating()) {
            VTensor.Floats xd = x.floats();
            float[] src = xd.a();
            int o = xd.off();
            switch (dst) {
                case Store.F32 f -> System.arraycopy(src, o, f.a(), 0, n);
                case Store.Half h -> {
                    for (int i = 0; i < n; i++) {
                        h.a()[i] = Halfs.narrow(src[o + i], dtype);
                    }
                }
                case Store.I32 ints -> {
                    for (int i = 0; i < n; i++) {
                        ints.a()[i] = (int) src[o + i];
                    }
                }
                case Store.I64 longs -> {
                    for (int i = 0; i < n; i++) {
                        longs.a()[i] = (long) src[o + i];
                    }
                }
                case Store.Mapped m -> throw new AssertionError(m);
            }
            return out;
        }
        long[] v = new long[n];
        Store s = x.store();
        if (s instanceof Store.I64 l) {
            System.arraycopy(l.a(), x.off(), v, 0, n);
        } else if (s instanceof Store.Mapped m && m.dtype() == DType.I64) {
            for (int i = 0; i < n; i++) {
                v[i] = m.segment().get(Store.LE_LONG, (x.offset() + i) * 8);
            }
        } else {
            VTensor.Ints ints = x.ints();
            for (int i = 0; i < n; i++) {
                v[i] = ints.a()[ints.off() + i];
            }
        }
        switch (dst) {
            case Store.F32 f -> {
                for (int i = 0; i < n; i++) {
                    f.a()[i] = (float) v[i];
                }
            }
            case Store.Half h -> {
                for (int i = 0; i < n; i++) {
                    h.a()[i] = Halfs.narrow((float) v[i], dtype);
                }
            }
            case Store.I32 ints -> {
                for (int i = 0; i < n; i++) {
                    ints.a()[i] = (int) v[i];
                }
            }
            case Store.I64 longs -> System.arraycopy(v, 0, longs.a(), 0, n);
            case Store.Mapped m -> throw new AssertionError(m);
        }
        return out;
    }
}
