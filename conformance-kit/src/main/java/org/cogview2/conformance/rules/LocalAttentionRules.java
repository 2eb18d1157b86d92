package org.cogview2.conformance.rules;

import org.cogview2.conformance.CaseContext;
import org.cogview2.conformance.ComparisonResult;
import org.cogview2.conformance.HostTensor;
import org.cogview2.conformance.KernelOp;
import org.cogview2.conformance.Rule;
import org.cogview2.conformance.Tolerance;
import org.cogview2.conformance.Tolerances;
import org.cogview2.spi.GridContext;
import org.cogview2.spi.LocalWindow;

import java.util.ArrayList;
import java.util.List;

import static org.cogview2.spi.Capability.LOCAL_ATTENTION;
import static org.cogview2.spi.Capability.PRIMITIVE_KERNELS;

/** gridAttention, localSimilar, localWeighting: the local 2D attention of the super-resolution models. */
final class LocalAttentionRules {

    private LocalAttentionRules() {
    }

    /** CogView2's self window on the 60x60 grid: 9 rows x 5 columns. */
    static final LocalWindow SELF = LocalWindow.of(9, 5);
    static final LocalWindow SELF_CAUSAL = new LocalWindow(9, 5, true);
    /** CogView2's cross window from the 60x60 grid into the 20x20 grid. */
    static final LocalWindow CROSS = LocalWindow.of(5, 5);

    static List<Rule> rules() {
        return List.of(
                Rule.builder("gridAttention_dsr_attends_to_a_cross_window_and_a_self_window_in_one_softmax", "gridAttention")
                        .description("direct super-resolution: per head, q/sqrt(d) scores over the cross window into"
                                + " the coarse grid (anchor (r/ratio, c/ratio)) and over the self window, one softmax,"
                                + " weighted sum of the matching values.")
                        .requires(LOCAL_ATTENTION).tolerance(Tolerances.REDUCTION)
                        .check("60x60 grid, 9x5 self + 5x5 cross into 20x20, heads 2 d 8",
                                c -> crossGrid(c, 1, 60, 20, 2, 8, SELF, CROSS, false))
                        .check("batch 2, 12x12 into 4x4, heads 3 d 4", c -> crossGrid(c, 2, 12, 4, 3, 4, SELF, CROSS, false))
                        .check("causal 9x5 self window, 12x12 into 6x6 with a 3x3 cross window",
                                c -> crossGrid(c, 1, 12, 6, 2, 4, SELF_CAUSAL, LocalWindow.of(3, 3), false))
                        .build(),
                Rule.builder("gridAttention_itersr_attends_to_all_text_keys_with_masked_pads", "gridAttention")
                        .description("iterative super-resolution: every cell also sees all text keys, a key with mask"
                                + " 0 scoring exactly -10000 (here pads have large keys that would dominate).")
                        .requires(LOCAL_ATTENTION).tolerance(Tolerances.REDUCTION)
                        .check("60x60 grid, 9x5 self + 16 text keys of which 5 pads", c -> globalKeys(c, 60, 16, 5, false))
                        .check("12x12 grid + 6 text keys without a key mask", c -> globalKeys(c, 12, 6, -1, false))
                        .build(),
                Rule.builder("gridAttention_cells_outside_grid_get_zero_weight", "gridAttention")
                        .description("window cells outside a grid score -10000 and get zero weight (not score 0 with"
                                + " zero-padded keys and values): with q = 0 a border cell averages only its in-grid"
                                + " neighbours.")
                        .requires(LOCAL_ATTENTION).tolerance(Tolerances.REDUCTION)
                        .check("q = 0, 7x7 grid, 9x5 self + 5x5 cross into 7x7", c -> crossGrid(c, 1, 7, 7, 1, 4, SELF, CROSS, true))
                        .check("q = 0, 6x6 grid + 4 fully masked text keys", c -> globalKeys(c, 6, 4, 4, true))
                        .build(),

                Rule.builder("localSimilar_sums_channel_products_over_the_window", "localSimilar").requires(PRIMITIVE_KERNELS)
                        .description("scores[n][r][c][t] = sum_ch q[ch][r][c] * k[ch][R+dr(t)][C+dc(t)], anchor"
                                + " (r/a, c/b), window entries numbered row-major (causal: the first half).")
                        .tolerance(Tolerances.REDUCTION)
                        .check("self 9x5, 12x12, ch 8, N 2", c -> similar(c, new int[]{2, 8, 12, 12}, new int[]{2, 8, 12, 12}, SELF))
                        .check("self 9x5, 60x60, ch 8", c -> similar(c, new int[]{1, 8, 60, 60}, new int[]{1, 8, 60, 60}, SELF))
                        .check("causal 9x5, 12x12", c -> similar(c, new int[]{1, 4, 12, 12}, new int[]{1, 4, 12, 12}, SELF_CAUSAL))
                        .check("cross 5x5, 60x60 into 20x20", c -> similar(c, new int[]{1, 8, 60, 60}, new int[]{1, 8, 20, 20}, CROSS))
                        .check("ratios 2 and 4: 6x8 into 3x2, window 3x3",
                                c -> similar(c, new int[]{1, 4, 6, 8}, new int[]{1, 4, 3, 2}, LocalWindow.of(3, 3)))
                        .build(),
                Rule.builder("localSimilar_cells_outside_grid_score_exactly_minus_10000", "localSimilar").requires(PRIMITIVE_KERNELS)
                        .description("a window entry outside the key grid scores exactly -10000 (the kernel's fill"
                                + " value; the window is clipped, never shifted or wrapped).")
                        .tolerance(Tolerances.REDUCTION)
                        .check("cross 5x5, 12x12 into 4x4", c -> outsideScores(c, new int[]{1, 4, 12, 12}, new int[]{1, 4, 4, 4}, CROSS))
                        .check("causal 9x5, 10x10", c -> outsideScores(c, new int[]{1, 4, 10, 10}, new int[]{1, 4, 10, 10}, SELF_CAUSAL))
                        .build(),

                Rule.builder("localWeighting_sums_weights_times_values_over_the_window", "localWeighting").requires(PRIMITIVE_KERNELS)
                        .description("out[ch][r][c] = sum_t w[r][c][t] * v[ch][R+dr(t)][C+dc(t)] over in-grid entries.")
                        .tolerance(Tolerances.REDUCTION)
                        .check("self 9x5, 12x12, ch 8, N 2", c -> weighting(c, new int[]{2, 12, 12}, new int[]{2, 8, 12, 12}, SELF, false))
                        .check("cross 5x5, 60x60 from 20x20, ch 8", c -> weighting(c, new int[]{1, 60, 60}, new int[]{1, 8, 20, 20}, CROSS, false))
                        .check("causal 9x5, 12x12", c -> weighting(c, new int[]{1, 12, 12}, new int[]{1, 4, 12, 12}, SELF_CAUSAL, false))
                        .build(),
                Rule.builder("localWeighting_skips_cells_outside_grid", "localWeighting").requires(PRIMITIVE_KERNELS)
                        .description("entries outside the key grid are skipped whatever their weight (here NaN).")
                        .tolerance(Tolerances.REDUCTION)
                        .check("self 9x5, 10x10, NaN weights outside", c -> weighting(c, new int[]{1, 10, 10}, new int[]{1, 4, 10, 10}, SELF, true))
                        .check("cross 5x5, 12x12 from 4x4, NaN weights outside", c -> weighting(c, new int[]{1, 12, 12}, new int[]{1, 4, 4, 4}, CROSS, true))
                        .build());
    }

    // ------------------------------------------------------------------ gridAttention

    private static List<ComparisonResult> crossGrid(CaseContext c, int batch, int side, int coarse, int heads, int d,
                                                    LocalWindow self, LocalWindow cross, boolean zeroQueries) {
        int hidden = heads * d;
        HostTensor q = zeroQueries ? HostTensor.f32(new int[]{batch, side * side, hidden}, new float[batch * side * side * hidden])
                : c.normal(1, batch, side * side, hidden);
        KernelOp op = KernelOp.single((k, s, in) -> k.gridAttention(s, in[0], in[1], in[2], heads, side, self,
                new GridContext.CrossGrid(in[3], in[4], coarse, cross)));
        return c.compare(op, q, c.normal(1, batch, side * side, hidden), values(c, batch, side * side, hidden),
                c.normal(1, batch, coarse * coarse, hidden), values(c, batch, coarse * coarse, hidden));
    }

    /** {@code pads < 0}: no key mask; otherwise the first {@code pads} keys are masked and have large keys. */
    private static List<ComparisonResult> globalKeys(CaseContext c, int side, int n, int pads, boolean zeroQueries) {
        int heads = 2;
        int d = 8;
        int hidden = heads * d;
        HostTensor q = zeroQueries ? HostTensor.f32(new int[]{1, side * side, hidden}, new float[side * side * hidden])
                : c.normal(1, 1, side * side, hidden);
        float[] textKeys = c.gaussian(n * hidden, 1);
        HostTensor mask = null;
        if (pads >= 0) {
            float[] m = new float[n];
            for (int j = 0; j < n; j++) {
                m[j] = j < pads ? 0f : 1f;
                if (j < pads) {
                    for (int f = 0; f < hidden; f++) {
                        textKeys[j * hidden + f] *= 10f;
                    }
                }
            }
            mask = HostTensor.f32(new int[]{n}, m);
        }
        KernelOp op = KernelOp.single((k, s, in) -> k.gridAttention(s, in[0], in[1], in[2], heads, side, SELF,
                new GridContext.GlobalKeys(in[3], in[4], in[5])));
        return c.compare(op, q, c.normal(1, 1, side * side, hidden), values(c, 1, side * side, hidden),
                HostTensor.f32(new int[]{1, n, hidden}, textKeys), values(c, 1, n, hidden), mask);
    }

    /** Values of mean 1, so that a zero-padded border would visibly shrink the outputs. */
    private static HostTensor values(CaseContext c, int batch, int cells, int hidden) {
        float[] v = c.gaussian(batch * cells * hidden, 0.5);
        for (int i = 0; i < v.length; i++) {
            v[i] += 1f;
        }
        return HostTensor.f32(new int[]{batch, cells, hidden}, v);
    }

    // ------------------------------------------------------------------ primitives

    private static KernelOp similarOp(LocalWindow window) {
        return KernelOp.primitive((k, s, in) -> k.localSimilar(s, in[0], in[1], window));
    }

    private static List<ComparisonResult> similar(CaseContext c, int[] qShape, int[] kShape, LocalWindow window) {
        return c.compare(similarOp(window), c.normal(1, qShape), c.normal(1, kShape));
    }

    /** Compares all scores with the rule's tolerance and the out-of-grid ones exactly with -10000. */
    private static List<ComparisonResult> outsideScores(CaseContext c, int[] qShape, int[] kShape, LocalWindow window) {
        CaseContext.Outputs out = c.run(similarOp(window), c.normal(1, qShape), c.normal(1, kShape));
        HostTensor want = out.want()[0];
        HostTensor got = out.got()[0];
        List<ComparisonResult> results = new ArrayList<>();
        results.add(c.compare("scores", want, got, c.tolerance()));
        if (!results.getFirst().passed() && results.getFirst().problem() != null) {
            return results;
        }
        int hq = qShape[2];
        int wq = qShape[3];
        int p = window.size();
        List<Integer> outside = new ArrayList<>();
        for (int i = 0; i < want.floats().length; i++) {
            int t = i % p;
            int cell = (i / p) % (hq * wq);
            if (isOutside(window, t, cell / wq, cell % wq, hq / kShape[2], wq / kShape[3], kShape[2], kShape[3])) {
                outside.add(i);
            }
        }
        float[] w = new float[outside.size()];
        float[] g = new float[outside.size()];
        for (int i = 0; i < w.length; i++) {
            w[i] = -10000f;
            g[i] = got.floats()[outside.get(i)];
        }
        results.add(c.compare("scores outside the key grid (" + w.length + " entries)",
                HostTensor.f32(new int[]{w.length}, w), HostTensor.f32(new int[]{g.length}, g), Tolerance.EXACT));
        return results;
    }

    private static List<ComparisonResult> weighting(CaseContext c, int[] cells, int[] vShape, LocalWindow window,
                                                    boolean nanOutside) {
        int n = cells[0];
        int hq = cells[1];
        int wq = cells[2];
        int p = window.size();
        float[] w = c.uniformValues(n * hq * wq * p, 0, 2.0 / p);
        if (nanOutside) {
            for (int i = 0; i < w.length; i++) {
                int cell = (i / p) % (hq * wq);
                if (isOutside(window, i % p, cell / wq, cell % wq, hq / vShape[2], wq / vShape[3], vShape[2], vShape[3])) {
                    w[i] = Float.NaN;
                }
            }
        }
        return c.compare(KernelOp.primitive((k, s, in) -> k.localWeighting(s, in[0], in[1], window)),
                HostTensor.f32(new int[]{n, hq, wq, p}, w), c.normal(1, vShape));
    }

    /** Whether window entry t of query cell (r, c) falls outside the key grid. */
    static boolean isOutside(LocalWindow window, int t, int r, int c, int ratioH, int ratioW, int hk, int wk) {
        int rr = r / ratioH + window.rowOffset(t);
        int cc = c / ratioW + window.colOffset(t);
        return rr < 0 || rr >= hk || cc < 0 || cc >= wk;
    }
}
