package org.cogview2.backend.reference;

import org.cogview2.spi.Conv2dSpec;
import org.cogview2.spi.GridContext;
import org.cogview2.spi.PrimitiveKernels;
import org.cogview2.spi.LocalWindow;
import org.cogview2.spi.Shape;
import org.cogview2.spi.Tensor;
import org.cogview2.spi.TensorScope;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;
import java.util.function.BiFunction;

/** The same inputs give bit-identical outputs with 1, 3 and 8 worker threads. */
class DeterminismTest {

    private static List<float[]> runAll(int threads) {
        List<float[]> results = new ArrayList<>();
        try (ReferenceBackend backend = new ReferenceBackend(threads); TensorScope s = backend.newScope()) {
            PrimitiveKernels k = PrimitiveKernels.of(backend);
            BiFunction<Long, int[], Tensor> rnd = (seed, dims) -> s.fromFloats(
                    KernelTestBase.random(seed, (int) Shape.of(dims).elementCount()), Shape.of(dims));
            Tensor x = rnd.apply(1L, new int[]{97, 257});
            results.add(s.readFloats(k.linear(s, x, rnd.apply(2L, new int[]{301, 257}), rnd.apply(3L, new int[]{301}))));
            results.add(s.readFloats(k.matmul(s, rnd.apply(4L, new int[]{3, 45, 67}), rnd.apply(5L, new int[]{3, 89, 67}), true)));
            results.add(s.readFloats(k.layerNorm(s, x, rnd.apply(6L, new int[]{257}), rnd.apply(7L, new int[]{257}), 1e-5f)));
            results.add(s.readFloats(k.softmax(s, x, null, null)));
            Tensor q = rnd.apply(8L, new int[]{2, 400, 32});
            results.add(s.readFloats(k.attention(s, q, rnd.apply(9L, new int[]{2, 450, 32}), rnd.apply(10L, new int[]{2, 450, 32}),
                    4, 411, null, null)));
            Tensor g = rnd.apply(11L, new int[]{1, 900, 16});
            results.add(s.readFloats(k.gridAttention(s, g, rnd.apply(12L, new int[]{1, 900, 16}), rnd.apply(13L, new int[]{1, 900, 16}),
                    2, 30, LocalWindow.of(9, 5), new GridContext.CrossGrid(rnd.apply(14L, new int[]{1, 100, 16}),
                            rnd.apply(15L, new int[]{1, 100, 16}), 10, LocalWindow.of(5, 5)))));
            Tensor img = rnd.apply(16L, new int[]{1, 8, 37, 41});
            results.add(s.readFloats(k.conv2d(s, img, rnd.apply(17L, new int[]{8, 8, 3, 3}), null, Conv2dSpec.same(1))));
            results.add(s.readFloats(k.groupNorm(s, img, 4, rnd.apply(18L, new int[]{8}), rnd.apply(19L, new int[]{8}), 1e-6f)));
            int[] ids = s.readInts(k.nearestCode(s, rnd.apply(20L, new int[]{200, 16}), rnd.apply(21L, new int[]{500, 16})));
            float[] idsAsFloats = new float[ids.length];
            for (int i = 0; i < ids.length; i++) {
                idsAsFloats[i] = ids[i];
            }
            results.add(idsAsFloats);
        }
        return results;
    }

    @Test
    void resultsDoNotDependOnTheThreadCount() {
        List<float[]> one = runAll(1);
        for (int threads : new int[]{3, 8}) {
            List<float[]> many = runAll(threads);
            for (int i = 0; i < one.size(); i++) {
                Expect.bitwise(one.get(i), many.get(i), "result " + i + " with " + threads + " threads");
            }
        }
    }
}
