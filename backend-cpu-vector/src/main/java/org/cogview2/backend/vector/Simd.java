package org.cogview2.backend.vector;

import jdk.incubator.vector.DoubleVector;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.IntVector;
import jdk.incubator.vector.VectorMask;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorShuffle;
import jdk.incubator.vector.VectorSpecies;

/**
 * The SIMD shape of the kernels (the CPU's preferred fp32 vector: 16 lanes with AVX-512, 8 with AVX2) and the
 * vector helpers they share.
 *
 * <p>Everything here is built from IEEE lane-wise operations (add, multiply, fused multiply-add, divide, compare,
 * exact conversions): horizontal sums use a fixed pairwise tree and {@link #exp}/{@link #tanh} are polynomial
 * evaluations, never {@code reduceLanes} or the Vector API's transcendental operators, whose evaluation order and
 * implementation may differ between the interpreter, the JIT compilers and CPUs. So a kernel gives the same bits in
 * every thread, from the first call on.
 */
public final class Simd {

    static final VectorSpecies<Float> F = FloatVector.SPECIES_PREFERRED;
    static final int L = F.length();
    static final VectorSpecies<Double> D = DoubleVector.SPECIES_PREFERRED;
    static final VectorSpecies<Integer> I = IntVector.SPECIES_PREFERRED;

    /** Shuffles of the pairwise tree: lane i with lane i ^ step (constants, so that C2 emits fixed permutes). */
    private static final VectorShuffle<Float> T1 = swap(1);
    private static final VectorShuffle<Float> T2 = swap(2);
    private static final VectorShuffle<Float> T4 = swap(4);
    private static final VectorShuffle<Float> T8 = swap(8);

    private static VectorShuffle<Float> swap(int step) {
        return VectorShuffle.fromOp(F, i -> i ^ Math.min(step, L / 2));
    }

    private Simd() {
    }

    /** fp32 lanes per vector (used by the provider to check that the Vector API links). */
    public static int floatLanes() {
        return L;
    }

    /** Sum of the lanes in a fixed pairwise order (lane i with lane i ^ L/2, then ^ L/4, ...). */
    static float sum(FloatVector v) {
        if (L > 16) {
            float s = 0f;
            for (int i = 0; i < L; i++) {
                s += v.lane(i);
            }
            return s;
        }
        if (L >= 16) {
            v = v.add(v.rearrange(T8));
        }
        if (L >= 8) {
            v = v.add(v.rearrange(T4));
        }
        if (L >= 4) {
            v = v.add(v.rearrange(T2));
        }
        return v.add(v.rearrange(T1)).lane(0);
    }

    /** Maximum of the lanes (exact in any order for numbers; NaN if any lane is NaN). */
    static float max(FloatVector v) {
        if (L > 16) {
            float m = v.lane(0);
            for (int i = 1; i < L; i++) {
                m = Math.max(m, v.lane(i));
            }
            return m;
        }
        if (L >= 16) {
            v = v.max(v.rearrange(T8));
        }
        if (L >= 8) {
            v = v.max(v.rearrange(T4));
        }
        if (L >= 4) {
            v = v.max(v.rearrange(T2));
        }
        return v.max(v.rearrange(T1)).lane(0);
    }

    /** The lanes widened to double and added pairwise: one double vector per half. */
    static DoubleVector addWidened(DoubleVector acc, FloatVector v, int part) {
        return acc.add((DoubleVector) v.convertShape(VectorOperators.F2D, D, part));
    }

    static double sum(DoubleVector v) {
        double s = 0;
        for (int i = 0; i < D.length(); i++) {
            s += v.lane(i);
        }
        return s;
    }

    /** {@code a * b + c}, fused. */
    private static FloatVector fma(FloatVector a, FloatVector b, float c) {
        return a.fma(b, FloatVector.broadcast(F, c));
    }

    // ------------------------------------------------------------------ exp

    private static final float LOG2E = 1.44269504088896341f;
    private static final float LN2_HI = 0.693359375f;
    private static final float LN2_LO = -2.12194440e-4f;
    private static final float EXP_MAX = 88.7228391f;
    private static final float EXP_MIN = -103.972084f;

    /**
     * {@code e^x} in fp32 within about 2 ulps (Cody-Waite reduction, Cephes' degree-5 polynomial), with overflow to
     * infinity, gradual underflow to subnormals and 0 below about -104; NaN stays NaN.
     */
    static FloatVector exp(FloatVector x) {
        VectorMask<Float> over = x.compare(VectorOperators.GT, EXP_MAX);
        VectorMask<Float> under = x.compare(VectorOperators.LT, EXP_MIN);
        FloatVector xc = x.max(EXP_MIN).min(EXP_MAX);
        // n = round(x / ln 2); floor(x*log2e + 0.5) computed exactly through an int conversion of a small value.
        FloatVector t = xc.fma(LOG2E, 0.5f);
        IntVector ni = (IntVector) t.convert(VectorOperators.F2I, 0);
        FloatVector nf = (FloatVector) ni.convert(VectorOperators.I2F, 0);
        // F2I truncates toward zero: fix negatives to floor.
        VectorMask<Float> fix = nf.compare(VectorOperators.GT, t);
        nf = nf.sub(1f, fix);
        ni = (IntVector) nf.convert(VectorOperators.F2I, 0);
        FloatVector r = nf.fma(FloatVector.broadcast(F, -LN2_HI), xc);
        r = nf.fma(FloatVector.broadcast(F, -LN2_LO), r);
        FloatVector r2 = r.mul(r);
        FloatVector p = r.fma(1.9875691500E-4f, 1.3981999507E-3f);
        p = fma(p, r, 8.3334519073E-3f);
        p = fma(p, r, 4.1665795894E-2f);
        p = fma(p, r, 1.6666665459E-1f);
        p = fma(p, r, 5.0000001201E-1f);
        p = p.fma(r2, r).add(1f);
        // Scale by 2^n in two steps so that results down to the subnormal range are exact scalings.
        IntVector n1 = ni.lanewise(VectorOperators.ASHR, 1);
        IntVector n2 = ni.sub(n1);
        FloatVector s1 = n1.add(127).lanewise(VectorOperators.LSHL, 23).reinterpretAsFloats();
        FloatVector s2 = n2.add(127).lanewise(VectorOperators.LSHL, 23).reinterpretAsFloats();
        FloatVector y = p.mul(s1).mul(s2);
        y = y.blend(Float.POSITIVE_INFINITY, over);
        y = y.blend(0f, under);
        return y.blend(x, x.test(VectorOperators.IS_NAN));
    }

    /** Scalar {@link #exp} (same bits as a lane of the vector version). */
    static float exp(float x) {
        return exp(FloatVector.broadcast(F, x)).lane(0);
    }

    // ------------------------------------------------------------------ tanh

    /**
     * {@code tanh(x)} in fp32 within a few ulps: Cephes' odd polynomial for |x| < 0.625, else
     * {@code 1 - 2 / (e^(2|x|) + 1)} with the sign of x; NaN stays NaN.
     */
    static FloatVector tanh(FloatVector x) {
        FloatVector ax = x.abs();
        FloatVector z = x.mul(x);
        FloatVector p = z.fma(-5.70498872745E-3f, 2.06390887954E-2f);
        p = fma(p, z, -5.37397155531E-2f);
        p = fma(p, z, 1.33314422036E-1f);
        p = fma(p, z, -3.33332819422E-1f);
        FloatVector small = p.mul(z).fma(x, x);
        FloatVector e = exp(ax.mul(2f).min(88f));
        FloatVector large = FloatVector.broadcast(F, 1f).sub(FloatVector.broadcast(F, 2f).div(e.add(1f)));
        large = large.blend(large.neg(), x.compare(VectorOperators.LT, 0f));
        return large.blend(small, ax.compare(VectorOperators.LT, 0.625f));
    }
}
