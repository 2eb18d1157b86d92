package org.cogview2.backend.vector;

import org.cogview2.spi.Conv2dSpec;
import org.cogview2.spi.DType;
import org.cogview2.spi.PrimitiveKernels;
import org.cogview2.spi.GridContext;
import org.cogview2.spi.LocalWindow;
import org.cogview2.spi.Shape;
import org.cogview2.spi.Tensor;
import org.cogview2.spi.TensorScope;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;

/** The class javadoc's promise: the same inputs give bit-identical outputs whatever the thread count. */
class DeterminismTest {

    /** Runs a set of kernels large enough to be split between threads, returning every output. */
    private static List<float[]> run(int threads) {
        SplittableRandom r = new SplittableRandom(42);
        List<float[]> out = new ArrayList<>();
        try (VectorBackend b = new VectorBackend(threads); TensorScope s = b.newScope()) {
            PrimitiveKernels k = PrimitiveKernels.of(b);
            Tensor x = s.fromFloats(GemmTest.random(r, 40 * 384, 1), Shape.of(40, 384));
            Tensor x1 = s.fromFloats(GemmTest.random(r, 3 * 384, 1), Shape.of(3, 384));
            Tensor w = s.fromFloats(GemmTest.random(r, 1000 * 384, 0.05), Shape.of(1000, 384));
            Tensor w16 = k.cast(s, w, DType.F16);
            Tensor bias = s.fromFloats(GemmTest.random(r, 1000, 0.5), Shape.of(1000));
            out.add(s.readFloats(k.linear(s, x, w, bias)));
            out.add(s.readFloats(k.linear(s, x1, w16, bias)));
            out.add(s.readFloats(k.linear(s, x, w16, null)));
            Tensor wb16 = k.cast(s, w, DType.BF16);
            out.add(s.readFloats(k.linear(s, x1, wb16, bias)));
            out.add(s.readFloats(k.linear(s, x, wb16, bias)));
            Tensor h = s.fromFloats(GemmTest.random(r, 2 * 40 * 256, 1), Shape.of(2, 40, 256));
            out.add(s.readFloats(k.matmul(s, h, h, true)));
            Tensor q = s.fromFloats(GemmTest.random(r, 2 * 20 * 256, 1), Shape.of(2, 20, 256));
            Tensor kv = s.fromFloats(GemmTest.random(r, 2 * 300 * 256, 1), Shape.of(2, 300, 256));
            Tensor q1 = k.slice(s, q, 1, 0, 1);
            out.add(s.readFloats(k.attention(s, q, kv, kv, 4, 290, null, null)));
            out.add(s.readFloats(k.attention(s, q1, kv, kv, 4, 290, null, null)));
            Tensor g = s.fromFloats(GemmTest.random(r, 144 * 64, 1), Shape.of(1, 144, 64));
            Tensor g0 = s.fromFloats(GemmTest.random(r, 16 * 64, 1), Shape.of(1, 16, 64));
            out.add(s.readFloats(k.gridAttention(s, g, g, g, 2, 12, LocalWindow.of(9, 5),
                    new GridContext.CrossGrid(g0, g0, 4, LocalWindow.of(5, 5)))));
            Tensor img = s.fromFloats(GemmTest.random(r, 16 * 30 * 30, 1), Shape.of(1, 16, 30, 30));
            Tensor cw = s.fromFloats(GemmTest.random(r, 32 * 16 * 9, 0.1), Shape.of(32, 16, 3, 3));
            out.add(s.readFloats(k.conv2d(s, img, cw, null, Conv2dSpec.same(1))));
            Tensor big = s.fromFloats(GemmTest.random(r, 64 * 3000, 3), Shape.of(64, 3000));
            out.add(s.readFloats(k.softmax(s, big, null, null)));
            out.add(s.readFloats(k.gelu(s, big)));
            out.add(s.readFloats(k.layerNorm(s, big, s.fromFloats(GemmTest.random(r, 3000, 1), Shape.of(3000)),
                    s.zeros(DType.F32, Shape.of(3000)), 1e-5f)));
        }
        return out;
    }

    @Test
    void outputsAreBitIdenticalForOneTwoAndThreeThreads() {
        List<float[]> one = run(1);
        List<float[]> two = run(2);
        List<float[]> three = run(3);
        for (int i = 0; i < one.size(); i++) {
            assertArrayEquals(one.get(i), two.get(i), "output " + i + ": 1 vs 2 threads");
            assertArrayEquals(one.get(i), three.get(i), "output " + i + ": 1 vs 3 threads");
        }
    }
}
