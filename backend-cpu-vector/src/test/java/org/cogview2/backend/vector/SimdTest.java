package org.cogview2.backend.vector;

import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The backend's own exp and tanh against the correctly rounded double versions. */
class SimdTest {

    private static long ulps(float got, float want) {
        if (got == want) {
            return 0;
        }
        int a = Float.floatToIntBits(got);
        int b = Float.floatToIntBits(want);
        if ((a ^ b) < 0) {
            return Math.abs((long) a & 0x7fffffff) + Math.abs((long) b & 0x7fffffff);
        }
        return Math.abs((long) a - b);
    }

    @Test
    void expIsWithinTwoUlpsOverTheNormalRange() {
        long worst = 0;
        for (float x = -87f; x <= 88.7f; x += 0.00731f) {
            worst = Math.max(worst, ulps(Simd.exp(x), (float) Math.exp(x)));
        }
        assertTrue(worst <= 2, "worst " + worst + " ulps");
    }

    @Test
    void expHandlesTheEdges() {
        assertEquals(Float.POSITIVE_INFINITY, Simd.exp(89f));
        assertEquals(Float.POSITIVE_INFINITY, Simd.exp(Float.POSITIVE_INFINITY));
        assertEquals(0f, Simd.exp(-10000f));
        assertEquals(0f, Simd.exp(Float.NEGATIVE_INFINITY));
        assertTrue(Float.isNaN(Simd.exp(Float.NaN)));
        assertEquals(1f, Simd.exp(0f));
        for (float x = -103.9f; x < -87.3f; x += 0.37f) {
            float want = (float) Math.exp(x);
            assertTrue(Math.abs(Simd.exp(x) - want) <= 2 * Math.ulp(want) + Float.MIN_VALUE, "exp(" + x + ")");
        }
    }

    @Test
    void tanhIsWithinFourUlps() {
        long worst = 0;
        for (float x = -12f; x <= 12f; x += 0.000917f) {
            float got = jdk.incubator.vector.FloatVector.broadcast(Simd.F, x).lanewise(
                    jdk.incubator.vector.VectorOperators.ADD, 0f).lane(0);
            got = Simd.tanh(jdk.incubator.vector.FloatVector.broadcast(Simd.F, got)).lane(0);
            worst = Math.max(worst, ulps(got, (float) Math.tanh(x)));
        }
        assertTrue(worst <= 4, "worst " + worst + " ulps");
        assertEquals(1f, Simd.tanh(jdk.incubator.vector.FloatVector.broadcast(Simd.F, 50f)).lane(0));
        assertEquals(-1f, Simd.tanh(jdk.incubator.vector.FloatVector.broadcast(Simd.F, -50f)).lane(0));
    }

    @Test
    void laneSumIsAFixedPairwiseTree() {
        float[] v = new float[Simd.L];
        for (int i = 0; i < v.length; i++) {
            v[i] = i == 0 ? 1e8f : 1f;
        }
        float got = Simd.sum(jdk.incubator.vector.FloatVector.fromArray(Simd.F, v, 0));
        // Pairwise: 1e8 is added to a partial sum of the other lanes; the result is the same whatever the JIT does.
        assertEquals(got, Simd.sum(jdk.incubator.vector.FloatVector.fromArray(Simd.F, v, 0)));
    }
}
