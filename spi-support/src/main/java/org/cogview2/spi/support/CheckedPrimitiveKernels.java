package org.cogview2.spi.support;

import org.cogview2.spi.DType;
import org.cogview2.spi.LocalWindow;
import org.cogview2.spi.PrimitiveKernels;
import org.cogview2.spi.Shape;
import org.cogview2.spi.Tensor;
import org.cogview2.spi.TensorScope;
import org.cogview2.spi.TopK;

/** {@link CheckedKernels} with the optional {@link PrimitiveKernels}, checked the same way. */
final class CheckedPrimitiveKernels<T extends AbstractTensor, S extends AbstractScope<T>> extends CheckedKernels<T, S>
        implements PrimitiveKernels {

    private final PrimitiveFamilies<T> primitives;

    CheckedPrimitiveKernels(AbstractBackend<T, S> backend, MathFamilies<T> math, PrimitiveFamilies<T> primitives) {
        super(backend, math);
        this.primitives = primitives;
    }

    @Override
    public Tensor matmul(TensorScope into, Tensor aIn, Tensor bIn, boolean transposeB) {
        String k = "matmul";
        S scope = backend.ownScope(k, into);
        T a = backend.own(k, "a", aIn);
        T b = backend.own(k, "b", bIn);
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
        int inner = a.shape().dim(-1);
        int bInner = transposeB ? b.shape().dim(-1) : b.shape().dim(-2);
        int n = transposeB ? b.shape().dim(-2) : b.shape().dim(-1);
        if (bInner != inner) {
            throw Args.fail(k, "b must have " + (transposeB ? "[..., N, K]" : "[..., K, N]") + " with K = " + inner
                    + " (the last dimension of a " + a.shape() + "), got " + b.describe());
        }
        T out = scope.allocateF32(a.shape().withDim(-1, n));
        return compute(out, () -> primitives.dense().matmul(out, a, b, transposeB));
    }

    @Override
    public Tensor scale(TensorScope into, Tensor xIn, float factor) {
        String k = "scale";
        S scope = backend.ownScope(k, into);
        T x = backend.own(k, "x", xIn);
        Args.f32(k, "x", x);
        T out = scope.allocateF32(x.shape());
        return compute(out, () -> primitives.dense().scale(out, x, factor));
    }

    @Override
    public Tensor cast(TensorScope into, Tensor xIn, DType dtype) {
        String k = "cast";
        S scope = backend.ownScope(k, into);
        T x = backend.own(k, "x", xIn);
        if (dtype == null) {
            throw Args.fail(k, "dtype must not be null");
        }
        T out = scope.allocate(dtype, x.shape());
        return compute(out, () -> primitives.dense().cast(out, x));
    }

    @Override
    public Tensor softmax(TensorScope into, Tensor scoresIn, Tensor maskIn, Tensor biasIn) {
        String k = "softmax";
        S scope = backend.ownScope(k, into);
        T s = backend.own(k, "scores", scoresIn);
        Args.f32(k, "scores", s);
        boolean needsMatrix = maskIn != null || biasIn != null;
        Args.minRank(k, "scores", s, needsMatrix ? 2 : 1, needsMatrix ? "[..., Lq, Lk]" : "[..., L]");
        int lk = s.shape().dim(-1);
        int lq = needsMatrix ? s.shape().dim(-2) : 1;
        T mask = scoreMatrix(k, "mask", maskIn, lq, lk, s);
        T bias = scoreMatrix(k, "bias", biasIn, lq, lk, s);
        T out = scope.allocateF32(s.shape());
        return compute(out, () -> primitives.norm().softmax(out, s, mask, bias));
    }

    private T scoreMatrix(String k, String name, Tensor in, int lq, int lk, T scores) {
        if (in == null) {
            return null;
        }
        T t = backend.own(k, name, in);
        Args.f32(k, name, t);
        Args.shape(k, name, t, Shape.of(lq, lk), "[Lq, Lk] (the last two dimensions of scores " + scores.shape() + ")");
        return t;
    }

    @Override
    public TopK topK(TensorScope into, Tensor xIn, int kCount) {
        String k = "topK";
        S scope = backend.ownScope(k, into);
        T x = backend.own(k, "x", xIn);
        Args.f32(k, "x", x);
        Args.minRank(k, "x", x, 1, "[..., V]");
        int v = x.shape().dim(-1);
        if (kCount < 0 || kCount > v) {
            throw Args.fail(k, "k must be in [0, " + v + "] (the last dimension of x " + x.shape() + "), got " + kCount);
        }
        Shape outShape = x.shape().withDim(-1, kCount);
        T values = scope.allocateF32(outShape);
        T indices = null;
        try {
            indices = scope.allocate(DType.I32, outShape);
            primitives.norm().topK(values, indices, x, kCount);
        } catch (RuntimeException | Error e) {
            values.close();
            if (indices != null) {
                indices.close();
            }
            throw e;
        }
        return new TopK(values, indices);
    }

    @Override
    public Tensor localSimilar(TensorScope into, Tensor qIn, Tensor kIn, LocalWindow window) {
        String kn = "localSimilar";
        S scope = backend.ownScope(kn, into);
        T q = backend.own(kn, "q", qIn);
        T k = backend.own(kn, "k", kIn);
        Args.f32(kn, "q", q);
        Args.f32(kn, "k", k);
        Args.rank(kn, "q", q, 4, "[N, ch, Hq, Wq]");
        Args.rank(kn, "k", k, 4, "[N, ch, Hk, Wk]");
        if (window == null) {
            throw Args.fail(kn, "window must not be null");
        }
        checkGrids(kn, q.shape(), k.shape(), "k");
        Shape qs = q.shape();
        T out = scope.allocateF32(Shape.of(qs.dim(0), qs.dim(2), qs.dim(3), window.size()));
        return compute(out, () -> primitives.attention().localSimilar(out, q, k, window));
    }

    @Override
    public Tensor localWeighting(TensorScope into, Tensor weightsIn, Tensor vIn, LocalWindow window) {
        String kn = "localWeighting";
        S scope = backend.ownScope(kn, into);
        T w = backend.own(kn, "weights", weightsIn);
        T v = backend.own(kn, "v", vIn);
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
        checkGrids(kn, qShape, v.shape(), "v");
        if (w.shape().dim(0) != v.shape().dim(0)) {
            throw Args.fail(kn, "v must have the batch " + w.shape().dim(0) + " of weights " + w.shape() + ", got "
                    + v.describe());
        }
        T out = scope.allocateF32(qShape);
        return compute(out, () -> primitives.attention().localWeighting(out, w, v, window));
    }

    /** The query grid must be an integer multiple of the key grid, with the same batch and channels. */
    private static void checkGrids(String kn, Shape q, Shape k, String keyName) {
        int n = q.dim(0);
        int ch = q.dim(1);
        int hk = k.dim(2);
        int wk = k.dim(3);
        if (k.dim(0) != n || k.dim(1) != ch) {
            throw Args.fail(kn, keyName + " must have shape [" + n + ", " + ch + ", Hk, Wk] (batch and channels of the"
                    + " queries " + q + "), got " + k);
        }
        if (hk <= 0 || wk <= 0 || q.dim(2) % hk != 0 || q.dim(3) % wk != 0) {
            throw Args.fail(kn, "the query grid " + q.dim(2) + "x" + q.dim(3) + " must be an integer multiple of the key grid "
                    + hk + "x" + wk + " of " + keyName + " " + k);
        }
    }
}
