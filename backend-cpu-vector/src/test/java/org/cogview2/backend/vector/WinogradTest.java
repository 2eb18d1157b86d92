package org.cogview2.backend.vector;

import org.cogview2.spi.Conv2dSpec;
import org.cogview2.spi.DType;
import org.cogview2.spi.PrimitiveKernels;
import org.cogview2.spi.Shape;
import org.cogview2.spi.Tensor;
import org.cogview2.spi.TensorScope;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import java.util.SplittableRandom;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

/**
 * The 3x3 "same" convolution by Winograd F(2x2, 3x3) against a direct convolution summed in double: odd and even
 * sizes (partial tiles at the right and bottom edges), pictures narrower than one vector of tiles (the scalar lanes),
 * one-pixel pictures, batches, fp16 weights, and pictures cut into many blocks.
 */
class WinogradTest {

    /** {@code sum w x} in double with zero padding 1: the definition. */
    private static double[] direct(float[] x, float[] w, float[] bias, int batch, int c, int h, int wd, int d) {
        double[] y = new double[batch * d * h * wd];
        for (int b = 0; b < batch; b++) {
            for (int o = 0; o < d; o++) {
                for (int oy = 0; oy < h; oy++) {
                    for (int ox = 0; ox < wd; ox++) {
                        double sum = bias == null ? 0 : bias[o];
                        for (int ci = 0; ci < c; ci++) {
                            for (int i = 0; i < 3; i++) {
                                for (int j = 0; j < 3; j++) {
                                    int iy = oy + i - 1;
                                    int ix = ox + j - 1;
                                    if (iy >= 0 && iy < h && ix >= 0 && ix < wd) {
                                        sum += (double) w[((o * c + ci) * 3 + i) * 3 + j] * x[((b * c + ci) * h + iy) * wd + ix];
                                    }
                                }
                            }
                        }
                        y[((b * d + o) * h + oy) * wd + ox] = sum;
                    }
                }
            }
        }
        return y;
    }

    /** Within the kit's reduction bound: 1e-5 absolute plus 1e-5 relative, outputs being of order 1. */
    private static void assertClose(double[] expected, float[] actual, String what) {
        if (expected.length != actual.length) {
            fail(what + ": " + actual.length + " outputs, expected " + expected.length);
        }
        for (int i = 0; i < expected.length; i++) {
            double err = Math.abs(expected[i] - actual[i]);
            if (!(err <= 1e-5 + 1e-5 * Math.abs(expected[i]))) {
                fail(what + ": output " + i + " is " + actual[i] + ", expected " + expected[i] + " (error " + err + ")");
            }
        }
    }

    @ParameterizedTest(name = "x[{0},{1},{2},{3}] -> {4} channels")
    @CsvSource({"1, 8, 13, 11, 16", "2, 3, 9, 9, 5", "1, 16, 40, 70, 24", "1, 5, 1, 1, 3", "1, 4, 1, 37, 2",
            "1, 7, 38, 2, 9", "3, 2, 6, 5, 1"})
    void matchesTheDirectConvolutionThroughTheKernel(int batch, int c, int h, int w, int d) {
        SplittableRandom r = new SplittableRandom(7L * c + h + 31L * w);
        float[] x = GemmTest.random(r, batch * c * h * w, 1);
        float[] wt = GemmTest.random(r, d * c * 9, 1 / Math.sqrt(9.0 * c));
        float[] bias = GemmTest.random(r, d, 0.5);
        try (VectorBackend b = new VectorBackend(2); TensorScope s = b.newScope()) {
            PrimitiveKernels k = PrimitiveKernels.of(b);
            Tensor out = k.conv2d(s, s.fromFloats(x, Shape.of(batch, c, h, w)), s.fromFloats(wt, Shape.of(d, c, 3, 3)),
                    s.fromFloats(bias, Shape.of(d)), Conv2dSpec.same(1));
            assertClose(direct(x, wt, bias, batch, c, h, w, d), s.readFloats(out), "conv2d");
        }
    }

    @Test
    void halfWeightsAreWidenedExactly() {
        SplittableRandom r = new SplittableRandom(3);
        int c = 12, h = 17, w = 20, d = 10;
        float[] x = GemmTest.random(r, c * h * w, 1);
        float[] wt = GemmTest.random(r, d * c * 9, 0.1);
        try (VectorBackend b = new VectorBackend(2); TensorScope s = b.newScope()) {
            PrimitiveKernels k = PrimitiveKernels.of(b);
            Tensor w16 = k.cast(s, s.fromFloats(wt, Shape.of(d, c, 3, 3)), DType.F16);
            float[] widened = s.readFloats(w16);
            Tensor out = k.conv2d(s, s.fromFloats(x, Shape.of(1, c, h, w)), w16, null, Conv2dSpec.same(1));
            assertClose(direct(x, widened, null, 1, c, h, w, d), s.readFloats(out), "fp16 weights");
        }
    }

    @Test
    void manySmallBlocksGiveTheSameOutputsAsOne() {
        SplittableRandom r = new SplittableRandom(11);
        int c = 6, h = 23, w = 41, d = 7;
        float[] x = GemmTest.random(r, c * h * w, 1);
        float[] wt = GemmTest.random(r, d * c * 9, 0.2);
        try (VectorBackend b = new VectorBackend(2); TensorScope s = b.newScope()) {
            VTensor weight = (VTensor) s.fromFloats(wt, Shape.of(d, c, 3, 3));
            float[] one = new float[d * h * w];
            float[] many = new float[d * h * w];
            Winograd.conv3x3(b.workers(), true, x, 0, 1, c, h, w, weight, d, one);
            // 16 * 7 * 21 floats is one tile row per block: 12 blocks.
            Winograd.conv3x3(b.workers(), true, x, 0, 1, c, h, w, weight, d, many, 16 * 7 * 21);
            assertClose(direct(x, wt, null, 1, c, h, w, d), many, "one tile row per block");
            assertArrayEquals(one, many, "the block size changes no bit");
        }
    }

    @Test
    void anInputOffsetIsHonoured() {
        SplittableRandom r = new SplittableRandom(5);
        int c = 3, h = 8, w = 8, d = 4, off = 29;
        float[] x = GemmTest.random(r, off + c * h * w, 1);
        float[] wt = GemmTest.random(r, d * c * 9, 0.3);
        float[] shifted = java.util.Arrays.copyOfRange(x, off, x.length);
        try (VectorBackend b = new VectorBackend(1); TensorScope s = b.newScope()) {
            VTensor weight = (VTensor) s.fromFloats(wt, Shape.of(d, c, 3, 3));
            float[] y = new float[d * h * w];
            Winograd.conv3x3(b.workers(), true, x, off, 1, c, h, w, weight, d, y);
            assertClose(direct(shifted, wt, null, 1, c, h, w, d), y, "offset input");
        }
    }

    @Test
    void takesOnlyThreeByThreeStrideOnePaddingOne() {
        assertTrue(Winograd.applies(3, 3, Conv2dSpec.same(1)));
        assertFalse(Winograd.applies(3, 3, new Conv2dSpec(2, 0, 0, 1, 1)), "the down-sampler");
        assertFalse(Winograd.applies(3, 3, new Conv2dSpec(1, 1, 1, 1, 0)), "asymmetric padding");
        assertFalse(Winograd.applies(1, 1, Conv2dSpec.same(0)), "1x1");
        assertFalse(Winograd.applies(5, 3, new Conv2dSpec(1, 2, 1, 2, 1)), "5x3");
    }
}
