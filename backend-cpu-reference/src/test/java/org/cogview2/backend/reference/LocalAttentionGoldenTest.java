package org.cogview2.backend.reference;

import org.cogview2.checkpoint.npy.NpyArray;
import org.cogview2.checkpoint.testing.SharedTestData;
import org.cogview2.spi.GridContext;
import org.cogview2.spi.PrimitiveKernels;
import org.cogview2.spi.LocalWindow;
import org.cogview2.spi.Shape;
import org.cogview2.spi.Tensor;
import org.cogview2.spi.TensorScope;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.nio.file.Path;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;

/**
 * The golden cases {@code local_attention_kernel} and {@code sparse_attention_functions} produced by the official
 * code (see the shared golden README), within their stated tolerance abs 1e-5, rel 1e-5.
 */
class LocalAttentionGoldenTest {

    private static final double ABS = 1e-5;
    private static final double REL = 1e-5;

    private static ReferenceBackend backend;
    private static TensorScope scope;
    private static PrimitiveKernels k;

    @BeforeAll
    static void open() {
        backend = new ReferenceBackend(2);
        scope = backend.newScope();
        k = backend.kernels();
    }

    @AfterAll
    static void close() {
        backend.close();
    }

    private static Tensor load(String caseName, String file) {
        NpyArray a = NpyArray.read(SharedTestData.golden(caseName).resolve(file));
        return scope.fromFloats(a.toFloats(), Shape.of(a.shape()));
    }

    private static float[] want(String caseName, String file) {
        return NpyArray.read(SharedTestData.golden(caseName).resolve(file)).toFloats();
    }

    private static void check(String caseName, String file, Tensor got) {
        Path path = SharedTestData.golden(caseName).resolve(file);
        NpyArray want = NpyArray.read(path);
        assertArrayEquals(want.shape(), got.shape().dims(), file + " shape");
        Expect.close(want.toFloats(), scope.readFloats(got), ABS, REL, caseName + "/" + file);
    }

    // ------------------------------------------------------------------ local_attention_kernel

    private static final String KERNEL = "local_attention_kernel";

    @Test
    void similarSelf9x5() {
        check(KERNEL, "scores_self_9x5.npy", k.localSimilar(scope, load(KERNEL, "q.npy"), load(KERNEL, "k.npy"), LocalWindow.of(9, 5)));
    }

    @Test
    void similarSelf9x5Causal() {
        check(KERNEL, "scores_self_9x5_causal.npy",
                k.localSimilar(scope, load(KERNEL, "q.npy"), load(KERNEL, "k.npy"), new LocalWindow(9, 5, true)));
    }

    @Test
    void similarCross5x5() {
        check(KERNEL, "scores_cross_5x5.npy", k.localSimilar(scope, load(KERNEL, "q.npy"), load(KERNEL, "k0.npy"), LocalWindow.of(5, 5)));
    }

    @Test
    void weightingSelf9x5() {
        weighting("scores_self_9x5.npy", "v.npy", LocalWindow.of(9, 5), "out_self_9x5.npy");
    }

    @Test
    void weightingSelf9x5Causal() {
        weighting("scores_self_9x5_causal.npy", "v.npy", new LocalWindow(9, 5, true), "out_self_9x5_causal.npy");
    }

    @Test
    void weightingCross5x5() {
        weighting("scores_cross_5x5.npy", "v0.npy", LocalWindow.of(5, 5), "out_cross_5x5.npy");
    }

    /** f_weighting received softmax(scores) over the window axis. */
    private static void weighting(String scores, String v, LocalWindow window, String out) {
        Tensor probs = k.softmax(scope, load(KERNEL, scores), null, null);
        check(KERNEL, out, k.localWeighting(scope, probs, load(KERNEL, v), window));
    }

    // ------------------------------------------------------------------ sparse_attention_functions

    private static final String SPARSE = "sparse_attention_functions";
    private static final int HEADS = 2;
    private static final int TEXT_LEN = 6;
    private static final int L0 = 4;
    private static final int L1 = 12;

    /** sparse_attention_2d_light level 0: standard attention with mask0 and the bias lw0 over all 22 tokens. */
    @Test
    void lightLevel0() {
        Tensor out = k.attention(scope, load(SPARSE, "q0.npy"), load(SPARSE, "k0.npy"), load(SPARSE, "v0.npy"),
                HEADS, TEXT_LEN + L0 * L0, load(SPARSE, "mask0.npy"), load(SPARSE, "lw0.npy"));
        check(SPARSE, "light_context0.npy", out);
    }

    /** Level 1: 9x5 self window plus the 5x5 cross window into the last l0*l0 level-0 keys, one softmax. */
    @Test
    void lightLevel1() {
        Tensor k0 = load(SPARSE, "k0.npy");
        Tensor v0 = load(SPARSE, "v0.npy");
        Tensor gridKeys = k.slice(scope, k0, 1, TEXT_LEN, L0 * L0);
        Tensor gridValues = k.slice(scope, v0, 1, TEXT_LEN, L0 * L0);
        Tensor out = k.gridAttention(scope, load(SPARSE, "q1.npy"), load(SPARSE, "k1.npy"), load(SPARSE, "v1.npy"),
                HEADS, L1, LocalWindow.of(9, 5), new GridContext.CrossGrid(gridKeys, gridValues, L0, LocalWindow.of(5, 5)));
        check(SPARSE, "light_context1.npy", out);
    }

    /** sparse_attention_2d_text: level 0 (text, key mask) followed by level 1 (all text keys + 9x5 self window). */
    @Test
    void textLevels0And1() {
        float[] keyMask = want(SPARSE, "text_key_mask.npy");
        float[] mask = new float[TEXT_LEN * TEXT_LEN];
        for (int i = 0; i < TEXT_LEN; i++) {
            System.arraycopy(keyMask, 0, mask, i * TEXT_LEN, TEXT_LEN);
        }
        Tensor k0 = load(SPARSE, "k0_text.npy");
        Tensor v0 = load(SPARSE, "v0_text.npy");
        Tensor level0 = k.attention(scope, load(SPARSE, "q0_text.npy"), k0, v0, HEADS, TEXT_LEN,
                scope.fromFloats(mask, Shape.of(TEXT_LEN, TEXT_LEN)), null);
        Tensor level1 = k.gridAttention(scope, load(SPARSE, "q1.npy"), load(SPARSE, "k1.npy"), load(SPARSE, "v1.npy"),
                HEADS, L1, LocalWindow.of(9, 5),
                new GridContext.GlobalKeys(k0, v0, scope.fromFloats(keyMask, Shape.of(TEXT_LEN))));
        check(SPARSE, "text_context.npy", k.concat(scope, 1, level0, level1));
        // The mask really masks something in this case (otherwise the masking path would be untested).
        float minimum = keyMask[0];
        for (float m : keyMask) {
            minimum = Math.min(minimum, m);
        }
        org.junit.jupiter.api.Assertions.assertEquals(0f, minimum, "the text key mask has pads");
    }
}
