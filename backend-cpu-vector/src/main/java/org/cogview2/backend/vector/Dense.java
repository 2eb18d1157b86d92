package org.cogview2.backend.vector;

import org.cogview2.spi.support.PrimitiveFamilies;
import org.cogview2.spi.support.MathFamilies;
import jdk.incubator.vector.FloatVector;
import org.cogview2.spi.DType;
import org.cogview2.spi.support.Args;

/** {@code linear} and {@code matmul} on {@link Gemm}; vectorised {@code add} and {@code scale}; {@code cast}. */
final class Dense implements MathFamilies.Dense<VTensor>, PrimitiveFamilies.Dense<VTensor> {

    private final VectorBackend backend;

    Dense(VectorBackend backend) {
        this.backend = backend;
    }

    @Override
    public void linear(VTensor out, VTensor x, VTensor w, VTensor bias) {
        int inner = x.shape().dim(-1);
        int n = w.shape().dim(0);
        int rows = (int) Args.longProduct(x.shape(), 0, x.shape().rank() - 1);
        VTensor.Floats b = bias == null ? null : bias.floats();
        Gemm.multiply(backend.workers(), backend.shareable(x, w), rows, n, inner, Operand.of(x, 0, inner),
                Operand.of(w, 0, inner), true, out.f32(), 0, n, b == null ? null : b.a(), b == null ? 0 : b.off());
    }

    @Override
    public void matmul(VTensor out, VTensor a, VTensor b, boolean transposeB) {
        int rank = a.shape().rank();
        int m = a.shape().dim(-2);
        int inner = a.shape().dim(-1);
        int n = transposeB ? b.shape().dim(-2) : b.shape().dim(-1);
        int batches = (int) Args.longProduct(a.shape(), 0, rank - 2);
        float[] c = out.f32();
        boolean share = backend.shareable(a, b);
        for (int t = 0; t < batches; t++) {
            Gemm.multiply(backend.workers(), share, m, n, inner, Operand.of(a, (long) t * m * inner, inner),
                    Operand.of(b, (long) t * inner * n, transposeB ? inner : n), transposeB, c, t * m * n, n, null, 0);
        }
    }

    /** {@code a + b} (b broadcast over a's leading dimensions): one fp32 addition per element, exact. */
    @Override
    public void add(VTensor out, VTensor a, VTensor b) {
        VTensor.Floats ad = a.floats();
        VTensor.Floats bd = b.floats();
        float[] y = out.f32();
        int period = b.size();
        int rows = period == 0 ? 0 : a.size() / period;
        int block = Math.max(1, (1 << 14) / Math.max(1, period));
        int units = (rows + block - 1) / block;
        backend.workers().run(units, (long) rows * period, u -> {
            for (int r = u * block; r < Math.min(rows, (u + 1) * block); r++) {
                addRow(ad.a(), ad.off() + r * period, bd.a(), bd.off(), y, r * period, period);
            }
        });
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
    @Override
    public void scale(VTensor out, VTensor x, float factor) {
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
    }

    /**
     * Floating to F16/BF16 rounds to nearest even; to F32 widens exactly; to an integer type truncates toward zero
     * (Java's saturating cast, NaN to 0). Integers to floating round through fp32; I64 to I32 keeps the low 32 bits.
     */
    @Override
    public void cast(VTensor out, VTensor x) {
        DType dtype = out.dtype();
        int n = x.size();
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
            return;
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
    }
}
