package org.cogview2.backend.reference;

import org.cogview2.spi.DType;
import org.cogview2.spi.Tensor;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

class DenseKernelsTest extends KernelTestBase {

    @Test
    void linearIsDotProductPlusBias() {
        Tensor x = t(s(2, 3), 1, 2, 3, 4, 5, 6);
        Tensor w = t(s(2, 3), 1, 0, -1, 0.5f, 0.5f, 0.5f);
        Tensor b = t(s(2), 10, 20);
        Tensor y = k.linear(scope, x, w, b);
        assertEquals(s(2, 2), y.shape());
        // row 0: 1-3 = -2 (+10), 0.5+1+1.5 = 3 (+20); row 1: 4-6 = -2, 7.5
        Expect.exact(f(8, 23, 8, 27.5f), read(y));
        Expect.exact(f(-2, 3, -2, 7.5f), read(k.linear(scope, x, w, null)));
    }

    @Test
    void linearKeepsLeadingDimensions() {
        Tensor x = t(s(2, 1, 2), 1, 2, 3, 4);
        Tensor w = t(s(3, 2), 1, 0, 0, 1, 1, 1);
        Tensor y = k.linear(scope, x, w, null);
        assertEquals(s(2, 1, 3), y.shape());
        Expect.exact(f(1, 2, 3, 3, 4, 7), read(y));
    }

    /** Each output is one sequential fp32 sum, k ascending: (1e8 + 1) rounds back to 1e8, then - 1e8 gives 0. */
    @Test
    void linearAccumulatesSequentiallyInFp32() {
        Tensor x = t(s(1, 3), 1e8f, 1f, -1e8f);
        Tensor w = t(s(1, 3), 1, 1, 1);
        Expect.exact(f(0f), read(k.linear(scope, x, w, null)));
        // the reverse order: -1e8 + 1e8 = 0, then + 1 = 1
        Expect.exact(f(1f), read(k.linear(scope, t(s(1, 3), -1e8f, 1e8f, 1f), w, null)));
    }

    /** fp16 weights are widened exactly (0.1 becomes 0.0999755859375) and products summed in fp32. */
    @Test
    void linearWidensHalfWeightsExactly() {
        Tensor x = t(s(1, 2), 1, 1024);
        Tensor w16 = half(DType.F16, s(1, 2), 0.1f, 0.1f);
        float tenth16 = Float.float16ToFloat(Float.floatToFloat16(0.1f));
        assertEquals(0.0999755859375f, tenth16);
        Expect.exact(f(tenth16 + 1024 * tenth16), read(k.linear(scope, x, w16, null)));
        Tensor wbf = half(DType.BF16, s(1, 2), 0.1f, 0.1f);
        float tenthBf = Float.intBitsToFloat(0x3DCD0000); // 0.1f = 0x3DCCCCCD rounds up
        Expect.exact(f(tenthBf + 1024 * tenthBf), read(k.linear(scope, x, wbf, half(DType.BF16, s(1), 0f))));
    }

    @Test
    void matmulBatchedAndTransposed() {
        Tensor a = t(s(2, 1, 2), 1, 2, 3, 4);
        Tensor b = t(s(2, 2, 2), 1, 0, 0, 1, 2, 0, 0, 2);
        Expect.exact(f(1, 2, 6, 8), read(k.matmul(scope, a, b, false)));
        Tensor bt = t(s(2, 3, 2), 1, 1, 1, -1, 0, 1, 1, 0, 0, 1, 1, 1);
        Tensor y = k.matmul(scope, a, bt, true);
        assertEquals(s(2, 1, 3), y.shape());
        Expect.exact(f(3, -1, 2, 3, 4, 7), read(y));
    }

    @Test
    void addBroadcastsSuffixAndScaleMultiplies() {
        Tensor a = t(s(2, 2), 1, 2, 3, 4);
        Expect.exact(f(11, 22, 13, 24), read(k.add(scope, a, t(s(2), 10, 20))));
        Expect.exact(f(2, 4, 6, 8), read(k.add(scope, a, a)));
        Expect.exact(f(0.5f, 1, 1.5f, 2), read(k.scale(scope, a, 0.5f)));
        Expect.exact(f(1.5f, 2.5f, 3.5f, 4.5f), read(k.add(scope, a, t(s(), 0.5f))));
    }

    @Test
    void castToHalfRoundsToNearestEven() {
        float ulp = 0x1p-10f; // spacing of binary16 just above 1
        Tensor x = t(s(4), 1 + ulp / 2, 1 + 3 * ulp / 2, 70000f, -1 - ulp / 2);
        Tensor h = k.cast(scope, x, DType.F16);
        assertEquals(DType.F16, h.dtype());
        // a tie rounds to the even neighbour: 1 + ulp/2 -> 1, 1 + 3ulp/2 -> 1 + 2ulp; overflow -> infinity
        Expect.exact(f(1, 1 + 2 * ulp, Float.POSITIVE_INFINITY, -1), read(h));
        float bulp = 0x1p-7f; // spacing of bfloat16 just above 1
        Tensor bf = k.cast(scope, t(s(3), 1 + bulp / 2, 1 + 3 * bulp / 2, 1 + bulp / 2 + 0x1p-20f), DType.BF16);
        Expect.exact(f(1, 1 + 2 * bulp, 1 + bulp), read(bf));
        // widening back is exact
        Expect.exact(read(h), read(k.cast(scope, h, DType.F32)));
    }

    @Test
    void castToIntegersTruncatesTowardZero() {
        Tensor i = k.cast(scope, t(s(4), 2.7f, -2.7f, 0.5f, -0.5f), DType.I32);
        assertArrayEquals(new int[]{2, -2, 0, 0}, scope.readInts(i));
        Tensor l = k.cast(scope, ints(s(2), 7, -3), DType.I64);
        assertEquals(DType.I64, l.dtype());
        assertArrayEquals(new int[]{7, -3}, scope.readInts(l));
        Expect.exact(f(7, -3), read(k.cast(scope, l, DType.F32)));
    }
}
