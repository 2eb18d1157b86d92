package org.cogview2.conformance.rules;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.cogview2.checkpoint.npy.NpyArray;
import org.cogview2.conformance.CaseContext;
import org.cogview2.conformance.ComparisonResult;
import org.cogview2.conformance.GoldenData;
import org.cogview2.conformance.HostTensor;
import org.cogview2.conformance.KernelOp;
import org.cogview2.conformance.Rule;
import org.cogview2.conformance.Tolerance;
import org.cogview2.conformance.Tolerances;
import org.cogview2.spi.GridContext;
import org.cogview2.spi.LocalWindow;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.util.List;

import static org.cogview2.spi.Capability.LOCAL_ATTENTION;
import static org.cogview2.spi.Capability.PRIMITIVE_KERNELS;

/**
 * The official code's golden cases {@code local_attention_kernel} and {@code sparse_attention_functions}: the backend
 * under test against the stored outputs (not against the reference), within the cases' own tolerance. Skipped when
 * the golden data cannot be found (see {@link GoldenData}).
 */
final class GoldenRules {

    private GoldenRules() {
    }

    private static final String KERNEL_CASE = "local_attention_kernel";
    private static final String SPARSE_CASE = "sparse_attention_functions";

    static List<Rule> rules() {
        return List.of(
                Rule.builder("localSimilar_matches_the_official_kernel", "localSimilar").requires(PRIMITIVE_KERNELS)
                        .description("golden " + KERNEL_CASE + ": f_similar on 12x12 grids.")
                        .tolerance(Tolerances.GOLDEN_LOCAL_ATTENTION)
                        .check("self 9x5", c -> similar(c, "k.npy", LocalAttentionRules.SELF, "scores_self_9x5.npy"))
                        .check("self 9x5 causal", c -> similar(c, "k.npy", LocalAttentionRules.SELF_CAUSAL, "scores_self_9x5_causal.npy"))
                        .check("cross 5x5 into 4x4", c -> similar(c, "k0.npy", LocalAttentionRules.CROSS, "scores_cross_5x5.npy"))
                        .build(),
                Rule.builder("localWeighting_matches_the_official_kernel", "localWeighting").requires(PRIMITIVE_KERNELS)
                        .description("golden " + KERNEL_CASE + ": f_weighting of softmax(scores).")
                        .tolerance(Tolerances.GOLDEN_LOCAL_ATTENTION)
                        .check("self 9x5", c -> weighting(c, "scores_self_9x5.npy", "v.npy", LocalAttentionRules.SELF, "out_self_9x5.npy"))
                        .check("self 9x5 causal", c -> weighting(c, "scores_self_9x5_causal.npy", "v.npy",
                                LocalAttentionRules.SELF_CAUSAL, "out_self_9x5_causal.npy"))
                        .check("cross 5x5 into 4x4", c -> weighting(c, "scores_cross_5x5.npy", "v0.npy", LocalAttentionRules.CROSS,
                                "out_cross_5x5.npy"))
                        .build(),
                Rule.builder("attention_matches_the_official_sparse_attention_level_0", "attention")
                        .description("golden " + SPARSE_CASE + ": the standard-attention level 0 of"
                                + " sparse_attention_2d_light (mask and bias) and sparse_attention_2d_text (key mask).")
                        .tolerance(Tolerances.GOLDEN_LOCAL_ATTENTION)
                        .check("sparse_attention_2d_light level 0", GoldenRules::lightLevel0)
                        .check("sparse_attention_2d_text level 0", GoldenRules::textLevel0)
                        .build(),
                Rule.builder("gridAttention_matches_the_official_sparse_attention_level_1", "gridAttention")
                        .description("golden " + SPARSE_CASE + ": the 12x12 level 1 of sparse_attention_2d_light (5x5"
                                + " cross window into the 4x4 level-0 image + 9x5 self window) and of"
                                + " sparse_attention_2d_text (all text keys + 9x5 self window).")
                        .requires(LOCAL_ATTENTION).tolerance(Tolerances.GOLDEN_LOCAL_ATTENTION)
                        .check("sparse_attention_2d_light level 1", GoldenRules::lightLevel1)
                        .check("sparse_attention_2d_text level 1", GoldenRules::textLevel1)
                        .build());
    }

    // ------------------------------------------------------------------ local_attention_kernel

    private static List<ComparisonResult> similar(CaseContext c, String keys, LocalWindow window, String out) {
        Golden g = Golden.open(c, KERNEL_CASE);
        HostTensor got = c.runOnSubject(KernelOp.primitive((k, s, in) -> k.localSimilar(s, in[0], in[1], window)),
                g.npy("q.npy"), g.npy(keys))[0];
        return List.of(c.compare(out, g.npy(out), got, g.tolerance()));
    }

    private static List<ComparisonResult> weighting(CaseContext c, String scores, String values, LocalWindow window,
                                                    String out) {
        Golden g = Golden.open(c, KERNEL_CASE);
        HostTensor probs = softmaxLastDim(g.npy(scores));
        HostTensor got = c.runOnSubject(KernelOp.primitive((k, s, in) -> k.localWeighting(s, in[0], in[1], window)),
                probs, g.npy(values))[0];
        return List.of(c.compare(out, g.npy(out), got, g.tolerance()));
    }

    /** Softmax over the last axis computed in double and rounded once (the weights f_weighting received). */
    private static HostTensor softmaxLastDim(HostTensor scores) {
        int p = scores.shape()[scores.shape().length - 1];
        float[] s = scores.floats();
        float[] out = new float[s.length];
        for (int row = 0; row < s.length / p; row++) {
            double max = Double.NEGATIVE_INFINITY;
            for (int t = 0; t < p; t++) {
                max = Math.max(max, s[row * p + t]);
            }
            double sum = 0;
            for (int t = 0; t < p; t++) {
                sum += Math.exp(s[row * p + t] - max);
            }
            for (int t = 0; t < p; t++) {
                out[row * p + t] = (float) (Math.exp(s[row * p + t] - max) / sum);
            }
        }
        return HostTensor.f32(scores.shape(), out);
    }

    // ------------------------------------------------------------------ sparse_attention_functions

    private static List<ComparisonResult> lightLevel0(CaseContext c) {
        Golden g = Golden.open(c, SPARSE_CASE);
        int heads = g.param("n_head");
        int keys = g.npy("k0.npy").shape()[1];
        HostTensor got = c.runOnSubject(AttentionRules.op(heads, keys), g.npy("q0.npy"), g.npy("k0.npy"),
                g.npy("v0.npy"), g.npy("mask0.npy"), g.npy("lw0.npy"))[0];
        return List.of(c.compare("light_context0", g.npy("light_context0.npy"), got, g.tolerance()));
    }

    private static List<ComparisonResult> lightLevel1(CaseContext c) {
        Golden g = Golden.open(c, SPARSE_CASE);
        int heads = g.param("n_head");
        int textLen = g.param("text_len");
        int l0 = g.param("l0");
        int l1 = g.param("l1");
        LocalWindow self = LocalWindow.of(2 * g.param("kernel_size") - 1, g.param("kernel_size"));
        LocalWindow cross = LocalWindow.of(g.param("kernel_size2"), g.param("kernel_size2"));
        // the cross window looks into the last l0*l0 level-0 keys (the low-resolution image)
        HostTensor gridKeys = tokens(g.npy("k0.npy"), textLen, l0 * l0);
        HostTensor gridValues = tokens(g.npy("v0.npy"), textLen, l0 * l0);
        KernelOp op = KernelOp.single((k, s, in) -> k.gridAttention(s, in[0], in[1], in[2], heads, l1, self,
                new GridContext.CrossGrid(in[3], in[4], l0, cross)));
        HostTensor got = c.runOnSubject(op, g.npy("q1.npy"), g.npy("k1.npy"), g.npy("v1.npy"), gridKeys, gridValues)[0];
        return List.of(c.compare("light_context1", g.npy("light_context1.npy"), got, g.tolerance()));
    }

    private static List<ComparisonResult> textLevel0(CaseContext c) {
        Golden g = Golden.open(c, SPARSE_CASE);
        int heads = g.param("n_head");
        int n = g.param("text_len");
        float[] keyMask = g.npy("text_key_mask.npy").floats();
        float[] mask = new float[n * n];
        for (int i = 0; i < n; i++) {
            System.arraycopy(keyMask, 0, mask, i * n, n);
        }
        HostTensor got = c.runOnSubject(AttentionRules.op(heads, n), g.npy("q0_text.npy"), g.npy("k0_text.npy"),
                g.npy("v0_text.npy"), HostTensor.f32(new int[]{n, n}, mask), null)[0];
        return List.of(c.compare("text_context[:, :" + n + "]", tokens(g.npy("text_context.npy"), 0, n), got, g.tolerance()));
    }

    private static List<ComparisonResult> textLevel1(CaseContext c) {
        Golden g = Golden.open(c, SPARSE_CASE);
        int heads = g.param("n_head");
        int n = g.param("text_len");
        int l1 = g.param("l1");
        LocalWindow self = LocalWindow.of(2 * g.param("kernel_size") - 1, g.param("kernel_size"));
        HostTensor keyMask = HostTensor.f32(new int[]{n}, g.npy("text_key_mask.npy").floats());
        KernelOp op = KernelOp.single((k, s, in) -> k.gridAttention(s, in[0], in[1], in[2], heads, l1, self,
                new GridContext.GlobalKeys(in[3], in[4], in[5])));
        HostTensor got = c.runOnSubject(op, g.npy("q1.npy"), g.npy("k1.npy"), g.npy("v1.npy"), g.npy("k0_text.npy"),
                g.npy("v0_text.npy"), keyMask)[0];
        return List.of(c.compare("text_context[:, " + n + ":]", tokens(g.npy("text_context.npy"), n, l1 * l1), got,
                g.tolerance()));
    }

    /** Tokens {@code [start, start + count)} of a {@code [1, L, h]} tensor. */
    private static HostTensor tokens(HostTensor x, int start, int count) {
        int h = x.shape()[2];
        float[] out = new float[count * h];
        System.arraycopy(x.floats(), start * h, out, 0, count * h);
        return HostTensor.f32(new int[]{1, count, h}, out);
    }

    /** One golden case folder: its arrays, params and tolerance. */
    private record Golden(Path dir, JsonNode json) {

        static Golden open(CaseContext c, String caseName) {
            Path dir = GoldenData.caseFolder(caseName).orElse(null);
            if (dir == null) {
                GoldenData.skipOrFail(caseName, c::skip);
            }
            try {
                return new Golden(dir, new ObjectMapper().readTree(dir.resolve("case.json").toFile()));
            } catch (IOException e) {
                throw new UncheckedIOException("cannot read " + dir.resolve("case.json"), e);
            }
        }

        HostTensor npy(String file) {
            NpyArray a = NpyArray.read(dir.resolve(file));
            return HostTensor.f32(a.shape(), a.toFloats());
        }

        int param(String name) {
            JsonNode v = json.path("params").path(name);
            if (!v.isInt()) {
                throw new IllegalStateException("golden case " + dir.getFileName() + " has no integer param " + name);
            }
            return v.intValue();
        }

        /** The case's stated tolerance ({@code tolerance.tensors}: |got - want| <= abs + rel * |want|). */
        Tolerance tolerance() {
            JsonNode t = json.path("tolerance").path("tensors");
            return Tolerance.absRel(t.path("abs").asDouble(1e-5), t.path("rel").asDouble(1e-5));
        }
    }
}
