package org.cogview2.backend.reference;

import org.cogview2.spi.GridContext;
import org.cogview2.spi.LocalWindow;
import org.cogview2.spi.Tensor;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;

class AttentionKernelsTest extends KernelTestBase {

    private static final float LN3 = (float) Math.log(3);

    /** One head of width 4: q / sqrt(4) = [1, 0, 0, 0], scores [0, ln 3], weights [1/4, 3/4]. */
    @Test
    void attentionScalesQueryThenWeighsValues() {
        Tensor q = t(s(1, 1, 4), 2, 0, 0, 0);
        Tensor key = t(s(1, 2, 4), 0, 5, 5, 5, LN3, -7, 1, 1);
        Tensor v = t(s(1, 2, 4), 4, 0, 0, 0, 0, 8, 0, 0);
        Expect.close(f(1, 6, 0, 0), read(k.attention(scope, q, key, v, 1, 2, null, null)), 1e-6, 0, "attention");
    }

    @Test
    void attentionHeadsAreContiguousFeatureBlocks() {
        // two heads of width 2; head 1 sees scores [ln 3, 0] (q' = [1, 0] after dividing by sqrt 2)
        float r2 = (float) Math.sqrt(2);
        Tensor q = t(s(1, 1, 4), 0, 0, r2, 0);
        Tensor key = t(s(1, 2, 4), 0, 0, LN3, 0, 0, 0, 0, 0);
        Tensor v = t(s(1, 2, 4), 2, 0, 4, 0, 4, 0, 0, 4);
        Expect.close(f(3, 0, 3, 1), read(k.attention(scope, q, key, v, 2, 2, null, null)), 1e-6, 0, "heads");
    }

    @Test
    void attentionMasksAfterBiasAndIgnoresCacheTail() {
        Tensor q = t(s(1, 1, 2), 1, 1);
        // cache of 3 positions, only the first 2 are used: the third holds NaN
        Tensor key = t(s(1, 3, 2), 0, 0, 1, 1, Float.NaN, Float.NaN);
        Tensor v = t(s(1, 3, 2), 1, 2, 3, 4, Float.NaN, Float.NaN);
        Tensor mask = t(s(1, 2), 1, 0);
        Tensor bias = t(s(1, 2), 0, 50);
        // key 1 is masked: its score is exactly -10000 despite the bias, so the output is v0
        Expect.exact(f(1, 2), read(k.attention(scope, q, key, v, 1, 2, mask, bias)));
    }

    @Test
    void attentionSharedPrefixCacheBroadcastsOverBatch() {
        float[] qv = random(1, 2 * 3 * 4);
        float[] kv = random(2, 5 * 4);
        float[] vv = random(3, 5 * 4);
        Tensor shared = k.attention(scope, t(s(2, 3, 4), qv), t(s(1, 5, 4), kv), t(s(1, 5, 4), vv), 2, 5, null, null);
        float[] kk = new float[40];
        float[] vvv = new float[40];
        System.arraycopy(kv, 0, kk, 0, 20);
        System.arraycopy(kv, 0, kk, 20, 20);
        System.arraycopy(vv, 0, vvv, 0, 20);
        System.arraycopy(vv, 0, vvv, 20, 20);
        Tensor copied = k.attention(scope, t(s(2, 3, 4), qv), t(s(2, 5, 4), kk), t(s(2, 5, 4), vvv), 2, 5, null, null);
        Expect.bitwise(read(copied), read(shared), "Bk = 1");
    }

    /**
     * A self window covering the whole 3x3 grid plus text keys is standard attention over [text, grid cells]:
     * cells outside the grid get no weight, a masked text key neither.
     */
    @Test
    void gridAttentionWithGlobalKeysMatchesStandardAttention() {
        int side = 3;
        int heads = 2;
        int hidden = 8;
        int text = 2;
        float[] qv = random(10, side * side * hidden);
        float[] kv = random(11, side * side * hidden);
        float[] vv = random(12, side * side * hidden);
        float[] tk = random(13, text * hidden);
        float[] tv = random(14, text * hidden);
        Tensor q = t(s(1, 9, hidden), qv);
        Tensor grid = k.gridAttention(scope, q, t(s(1, 9, hidden), kv), t(s(1, 9, hidden), vv), heads, side,
                LocalWindow.of(5, 5),
                new GridContext.GlobalKeys(t(s(1, text, hidden), tk), t(s(1, text, hidden), tv), t(s(text), 0, 1)));
        Tensor allKeys = k.concat(scope, 1, t(s(1, text, hidden), tk), t(s(1, 9, hidden), kv));
        Tensor allValues = k.concat(scope, 1, t(s(1, text, hidden), tv), t(s(1, 9, hidden), vv));
        float[] mask = new float[9 * 11];
        java.util.Arrays.fill(mask, 1f);
        for (int i = 0; i < 9; i++) {
            mask[i * 11] = 0f;
        }
        Tensor standard = k.attention(scope, q, allKeys, allValues, heads, 11, t(s(9, 11), mask), null);
        Expect.close(read(standard), read(grid), 1e-6, 1e-6, "grid vs standard attention");
    }

    /** With q = 0 every in-grid score is 0: a corner cell averages exactly its 15 in-grid 9x5 neighbours. */
    @Test
    void gridAttentionCellsOutsideTheGridGetZeroWeight() {
        int side = 5;
        float[] vv = new float[side * side];
        for (int i = 0; i < vv.length; i++) {
            vv[i] = i;
        }
        Tensor zeros = scope.zeros(org.cogview2.spi.DType.F32, s(1, side * side, 1));
        Tensor out = k.gridAttention(scope, zeros, zeros, t(s(1, side * side, 1), vv), 1, side, LocalWindow.of(9, 5),
                new GridContext.GlobalKeys(t(s(1, 1, 1), 0), t(s(1, 1, 1), 1000), t(s(1), 0)));
        float[] y = read(out);
        // corner (0, 0): rows 0..4, columns 0..2 -> mean of r*5 + c = 10 + 1 = 11
        assertEquals(11f, y[0], 1e-5f);
        // centre (2, 2): rows 0..4, columns 0..4 -> the mean of all cells, 12
        assertEquals(12f, y[12], 1e-5f);
    }

    @Test
    void gridAttentionCrossGridAnchorsAtCoarseCell() {
        // 4x4 fine grid, 2x2 coarse grid (ratio 2), 1x1 windows: each cell sees itself and its coarse anchor
        int hidden = 1;
        Tensor zeros = scope.zeros(org.cogview2.spi.DType.F32, s(1, 16, hidden));
        float[] fine = new float[16];
        Tensor coarseValues = t(s(1, 4, hidden), 100, 200, 300, 400);
        Tensor out = k.gridAttention(scope, zeros, zeros, t(s(1, 16, hidden), fine), 1, 4, LocalWindow.of(1, 1),
                new GridContext.CrossGrid(scope.zeros(org.cogview2.spi.DType.F32, s(1, 4, hidden)), coarseValues, 2,
                        LocalWindow.of(1, 1)));
        // weights 1/2 self (value 0), 1/2 anchor
        float[] y = read(out);
        assertEquals(50f, y[0]);      // (0,0) -> anchor (0,0)
        assertEquals(100f, y[3]);     // (0,3) -> anchor (0,1)
        assertEquals(150f, y[9]);     // (2,1) -> anchor (1,0)
        assertEquals(200f, y[15]);    // (3,3) -> anchor (1,1)
    }

    @Test
    void localSimilarScoresOutsideTheKeyGridExactlyMinus10000() {
        Tensor q = t(s(1, 1, 2, 2), 1, 2, 3, 4);
        Tensor key = t(s(1, 1, 2, 2), 10, 20, 30, 40);
        float[] y = read(k.localSimilar(scope, q, key, LocalWindow.of(3, 3)));
        assertEquals(2 * 2 * 9, y.length);
        float o = -10000f;
        // cell (0,0): window rows -1..1, cols -1..1
        Expect.exact(f(o, o, o, o, 10, 20, o, 30, 40), java.util.Arrays.copyOf(y, 9));
        // cell (1,1), q = 4
        Expect.exact(f(40, 80, o, 120, 160, o, o, o, o), java.util.Arrays.copyOfRange(y, 27, 36));
        // causal 3x3 keeps the first 5 entries; a 2x1 key grid under a 2x2 query grid anchors (r, c) at (r, c / 2)
        float[] causal = read(k.localSimilar(scope, q, t(s(1, 1, 2, 1), 10, 30), new LocalWindow(3, 3, true)));
        assertEquals(2 * 2 * 5, causal.length);
        Expect.exact(f(o, o, o, o, 20), java.util.Arrays.copyOfRange(causal, 5, 10)); // cell (0,1) anchored at (0,0)
    }

    @Test
    void localWeightingSkipsCellsOutsideTheKeyGrid() {
        // weights of NaN on out-of-grid entries must not reach the output
        float n = Float.NaN;
        Tensor v = t(s(1, 2, 2, 2), 1, 2, 3, 4, 10, 20, 30, 40);
        Tensor w4 = t(s(1, 2, 2, 9),
                n, n, n, n, 0.5f, 0.25f, n, 0.125f, 0.125f,
                n, n, n, 1, 0, n, 0, 0, n,
                n, 0, 0, n, 0, 0, n, n, n,
                0, 0, n, 0, 1, n, n, n, n);
        float[] y = read(k.localWeighting(scope, w4, v, LocalWindow.of(3, 3)));
        for (float value : y) {
            assertFalse(Float.isNaN(value));
        }
        // channel 0, cell (0,0): 0.5*1 + 0.25*2 + 0.125*3 + 0.125*4; cell (0,1): 1*1; cell (1,1): 1*4
        Expect.exact(f(1.875f, 1, 0, 4, 18.75f, 10, 0, 40), y);
    }
}
