package org.cogview2.backend.reference;

import org.cogview2.spi.Conv2dSpec;
import org.cogview2.spi.DType;
import org.cogview2.spi.GridContext;
import org.cogview2.spi.LocalWindow;
import org.cogview2.spi.Tensor;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.function.Executable;

import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Wrong arguments fail with a message naming the kernel, the argument, the expectation and what was given. */
class ArgumentCheckTest extends KernelTestBase {

    private static void rejects(Executable call, String... fragments) {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, call);
        for (String fragment : fragments) {
            assertTrue(e.getMessage().contains(fragment), "message '" + e.getMessage() + "' lacks '" + fragment + "'");
        }
    }

    @Test
    void denseKernels() {
        Tensor x = t(s(3, 17), new float[51]);
        rejects(() -> k.linear(scope, x, t(s(29, 16), new float[29 * 16]), null),
                "linear: weight", "K = 17", "[29, 16]");
        rejects(() -> k.linear(scope, x, t(s(2, 17), new float[34]), t(s(3), 1, 2, 3)), "linear: bias", "[2]", "[3]");
        rejects(() -> k.linear(scope, ints(s(1, 1), 1), t(s(1, 1), 1), null), "linear: x must be F32", "I32");
        rejects(() -> k.linear(scope, x, null, null), "linear: weight must not be null");
        rejects(() -> k.matmul(scope, t(s(2, 3), new float[6]), t(s(2, 3), new float[6]), false), "matmul: b", "K = 3");
        rejects(() -> k.add(scope, t(s(2, 3), new float[6]), t(s(2), 1, 2)), "add: b", "suffix", "[2]");
        rejects(() -> k.cast(scope, x, null), "cast: dtype");
    }

    @Test
    void normKernels() {
        Tensor x = t(s(2, 4), new float[8]);
        rejects(() -> k.layerNorm(scope, x, t(s(3), 1, 1, 1), t(s(4), new float[4]), 1e-5f),
                "layerNorm: gamma", "[4]", "[3]");
        rejects(() -> k.groupNorm(scope, t(s(1, 6, 1, 1), new float[6]), 4, t(s(6), new float[6]),
                t(s(6), new float[6]), 1e-6f), "groupNorm: groups 4", "6");
        rejects(() -> k.softmax(scope, x, t(s(4, 2), new float[8]), null), "softmax: mask", "[2, 4]", "[4, 2]");
        rejects(() -> k.logSoftmaxGather(scope, x, ints(s(2), 0, 4)), "logSoftmaxGather: targets[1] = 4");
        rejects(() -> k.topK(scope, x, 5), "topK: k", "[0, 4]");
        rejects(() -> k.gelu(scope, half(DType.F16, s(1), 1)), "gelu: x must be F32", "F16");
    }

    @Test
    void attentionKernels() {
        Tensor q = t(s(1, 2, 4), new float[8]);
        Tensor kv = t(s(1, 3, 4), new float[12]);
        rejects(() -> k.attention(scope, q, kv, kv, 3, 3, null, null), "attention: heads 3");
        rejects(() -> k.attention(scope, q, kv, kv, 2, 4, null, null), "attention: keyLength", "[1, 3]", "4");
        rejects(() -> k.attention(scope, q, kv, kv, 2, 3, t(s(2, 2), new float[4]), null), "attention: mask", "[2, 3]");
        Tensor grid = t(s(1, 9, 4), new float[36]);
        rejects(() -> k.gridAttention(scope, grid, grid, grid, 2, 4, LocalWindow.of(3, 3),
                new GridContext.GlobalKeys(kv, kv, null)), "gridAttention: q", "16");
        rejects(() -> k.gridAttention(scope, grid, grid, grid, 2, 3, LocalWindow.of(3, 3),
                new GridContext.CrossGrid(kv, kv, 2, LocalWindow.of(3, 3))), "gridAttention: CrossGrid side 2", "3");
        rejects(() -> k.localSimilar(scope, t(s(1, 1, 3, 3), new float[9]), t(s(1, 1, 2, 2), new float[4]),
                LocalWindow.of(3, 3)), "localSimilar", "integer multiple");
        rejects(() -> k.localWeighting(scope, t(s(1, 2, 2, 5), new float[20]), t(s(1, 1, 2, 2), new float[4]),
                LocalWindow.of(3, 3)), "localWeighting: weights", "P = 9");
    }

    @Test
    void imageAndLayoutKernels() {
        Tensor x = t(s(1, 2, 3, 3), new float[18]);
        rejects(() -> k.conv2d(scope, x, t(s(1, 3, 1, 1), 1, 1, 1), null, Conv2dSpec.same(0)),
                "conv2d: weight", "C = 2");
        rejects(() -> k.conv2d(scope, x, t(s(1, 2, 5, 5), new float[50]), null, Conv2dSpec.same(0)), "conv2d", "does not fit");
        rejects(() -> k.avgPool2x2(scope, x), "avgPool2x2: x", "even");
        rejects(() -> k.resizeNearest(scope, t(s(3, 3), new float[9]), 2, 2), "resizeNearest: x must have rank 4");
        rejects(() -> k.concat(scope, 0, t(s(1, 2), 1, 2), t(s(1, 3), 1, 2, 3)), "concat: parts[1]", "[1, 3]");
        rejects(() -> k.concat(scope, 0, t(s(1), 1), ints(s(1), 1)), "concat: parts[1]", "dtype F32");
        rejects(() -> k.slice(scope, t(s(2, 2), 1, 2, 3, 4), 2, 0, 1), "slice: dim 2");
        rejects(() -> k.embedding(scope, t(s(2, 2), 1, 2, 3, 4), t(s(1), 0)), "embedding: ids must be I32");
        rejects(() -> k.nearestCode(scope, t(s(1, 2), 1, 2), t(s(2, 3), new float[6])), "nearestCode: codebook", "D = 2");
    }
}
