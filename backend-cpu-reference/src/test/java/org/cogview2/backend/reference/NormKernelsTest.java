package org.cogview2.backend.reference;

import org.cogview2.spi.DType;
import org.cogview2.spi.Tensor;
import org.cogview2.spi.TopK;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

class NormKernelsTest extends KernelTestBase {

    @Test
    void layerNormUsesBiasedVarianceOverLastDimension() {
        Tensor x = t(s(2, 4), 1, 2, 3, 4, 5, 5, 5, 5);
        Tensor gamma = t(s(4), 1, 2, 1, 1);
        Tensor beta = t(s(4), 0, 0, 0, 1);
        float[] y = read(k.layerNorm(scope, x, gamma, beta, 0f));
        // mean 2.5, biased variance 1.25
        float rstd = (float) (1 / Math.sqrt(1.25));
        Expect.exact(f(-1.5f * rstd, -0.5f * rstd * 2, 0.5f * rstd, 1.5f * rstd + 1), java.util.Arrays.copyOf(y, 4));
        // a constant row has zero variance: with eps the output is exactly beta
        float[] constant = read(k.layerNorm(scope, t(s(1, 4), 5, 5, 5, 5), gamma, beta, 1e-5f));
        Expect.exact(f(0, 0, 0, 1), constant);
    }

    @Test
    void layerNormAcceptsHalfAffineParameters() {
        Tensor x = t(s(1, 2), -1, 1);
        float[] y = read(k.layerNorm(scope, x, half(DType.F16, s(2), 0.1f, 3), half(DType.BF16, s(2), 0.5f, 0), 0f));
        Expect.exact(f(-Float.float16ToFloat(Float.floatToFloat16(0.1f)) + 0.5f, 3), y);
    }

    @Test
    void groupNormNormalisesConsecutiveChannelGroups() {
        // [1, 4, 1, 2]: group 0 = channels 0-1 = {1, 2, 3, 4}, group 1 = channels 2-3 = {10, 10, 20, 20}
        Tensor x = t(s(1, 4, 1, 2), 1, 2, 3, 4, 10, 10, 20, 20);
        Tensor gamma = t(s(4), 1, 1, 2, 2);
        Tensor beta = t(s(4), 0, 0, 0, 100);
        float[] y = read(k.groupNorm(scope, x, 2, gamma, beta, 0f));
        float r0 = (float) (1 / Math.sqrt(1.25));
        Expect.exact(f(-1.5f * r0, -0.5f * r0, 0.5f * r0, 1.5f * r0, -2, -2, 2 + 100, 2 + 100), y);
    }

    @Test
    void geluIsTheTanhFormEvaluatedInFp32() {
        float[] xs = {0f, 1f, -1f, 2.5f, -3f, 10f, -10f, 1e-3f};
        float[] y = read(k.gelu(scope, t(s(xs.length), xs)));
        for (int i = 0; i < xs.length; i++) {
            double x = xs[i];
            double want = 0.5 * x * (1 + Math.tanh(0.7978845608028654 * x * (1 + 0.044715 * x * x)));
            assertEquals(want, y[i], 1e-6 + 1e-6 * Math.abs(want), "gelu(" + x + ")");
        }
        assertEquals(0.841192f, y[1], 1e-6f);
        assertEquals(10f, y[5]);
        // far left, tanh rounds to -1 and the product is -0.0 as in PyTorch
        assertEquals(Float.floatToRawIntBits(-0.0f), Float.floatToRawIntBits(y[6]));
    }

    @Test
    void siluIsXTimesSigmoid() {
        float[] y = read(k.silu(scope, t(s(3), 0, 1, -2)));
        assertEquals(0f, y[0]);
        assertEquals(0.7310586f, y[1], 1e-7f);
        assertEquals(-2 / (1 + Math.exp(2)), y[2], 1e-7);
    }

    @Test
    void softmaxAddsBiasThenMasksToMinus10000() {
        Tensor scores = t(s(2, 1, 3), 1, 2, 3, 0, 0, 0);
        Tensor mask = t(s(1, 3), 1, 0, 1);
        Tensor bias = t(s(1, 3), 0, 100000, 0);
        float[] y = read(k.softmax(scope, scores, mask, bias));
        double e = Math.exp(-2);
        // the masked middle score is exactly -10000 despite its large bias, so its weight is 0
        Expect.close(f((float) (e / (1 + e)), 0, (float) (1 / (1 + e)), 0.5f, 0, 0.5f), y, 1e-7, 0, "softmax");
        assertEquals(0f, y[1]);
        // a fully masked row: every score is -10000, so the weights are uniform
        float[] uniform = read(k.softmax(scope, t(s(1, 3), 5, -5, 7), t(s(1, 3), 0, 0, 0), null));
        Expect.close(f(1 / 3f, 1 / 3f, 1 / 3f), uniform, 1e-7, 0, "fully masked");
        float[] plain = read(k.softmax(scope, t(s(2), 0, (float) Math.log(3)), null, null));
        Expect.close(f(0.25f, 0.75f), plain, 1e-7, 0, "plain");
    }

    @Test
    void logSoftmaxGatherUnderflowsToMinusInfinity() {
        Tensor logits = t(s(2, 3), 0, -200, 0, 1, 2, 3);
        float[] y = read(k.logSoftmaxGather(scope, logits, ints(s(2), 1, 2)));
        // exp(-200) underflows in fp32: the probability is 0 and its log -infinity (not -200 - log 2)
        assertEquals(Float.NEGATIVE_INFINITY, y[0]);
        double want = 3 - Math.log(Math.exp(1) + Math.exp(2) + Math.exp(3));
        assertEquals(want, y[1], 1e-6);
    }

    @Test
    void topKSortsDescendingWithLowerIndexFirstOnTies() {
        Tensor x = t(s(2, 5), 1, 3, 2, 3, 0, Float.NaN, 5, -0.0f, 0.0f, 5);
        TopK top = k.topK(scope, x, 4);
        assertEquals(s(2, 4), top.values().shape());
        assertEquals(DType.I32, top.indices().dtype());
        assertArrayEquals(new int[]{1, 3, 2, 0, 0, 1, 4, 2}, scope.readInts(top.indices()));
        float[] v = read(top.values());
        Expect.bitwise(f(3, 3, 2, 1, Float.NaN, 5, 5, -0.0f), v, "top values");
        TopK all = k.topK(scope, t(s(6), 4, 4, 1, 4, 9, 1), 6);
        assertArrayEquals(new int[]{4, 0, 1, 3, 2, 5}, scope.readInts(all.indices()));
        assertEquals(s(2, 0), k.topK(scope, x, 0).values().shape());
    }
}
