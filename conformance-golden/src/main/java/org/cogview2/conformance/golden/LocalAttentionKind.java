package org.cogview2.conformance.golden;

import org.cogview2.conformance.ComparisonResult;
import org.cogview2.conformance.Tolerance;
import org.cogview2.spi.GridContext;
import org.cogview2.spi.Kernels;
import org.cogview2.spi.LocalWindow;
import org.cogview2.spi.PrimitiveKernels;
import org.cogview2.spi.Shape;
import org.cogview2.spi.Tensor;
import org.cogview2.spi.TensorScope;

import java.util.ArrayList;
import java.util.List;

/**
 * {@code local_attention}: the Image-Local-Attention primitives ({@code local_attention_kernel}) and CogView2's
 * {@code sparse_attention_2d_light} / {@code sparse_attention_2d_text} ({@code sparse_attention_functions}) on the
 * backend's {@code localSimilar}, {@code localWeighting}, {@code attention} and {@code gridAttention} kernels.
 */
final class LocalAttentionKind implements GoldenKind {

    private static final Tolerance DEFAULT = Tolerance.absRel(1e-5, 1e-5);

    @Override
    public String kind() {
        return "local_attention";
    }

    @Override
    public List<ComparisonResult> run(GoldenCase golden, GoldenContext context) {
        Tolerance tol = golden.tolerance("tensors", DEFAULT);
        Kernels k = context.backend().kernels();
        List<ComparisonResult> results = new ArrayList<>();
        try (TensorScope s = context.backend().newScope()) {
            if (golden.hasOutput("scores_self_9x5")) {
                Tensor q = HostArrays.upload(s, golden, "q");
                Tensor key = HostArrays.upload(s, golden, "k");
                Tensor v = HostArrays.upload(s, golden, "v");
                Tensor k0 = HostArrays.upload(s, golden, "k0");
                Tensor v0 = HostArrays.upload(s, golden, "v0");
                PrimitiveKernels p = PrimitiveKernels.of(context.backend());
                primitives(s, p, golden, results, tol, "self_9x5", q, key, v, new LocalWindow(9, 5, false));
                primitives(s, p, golden, results, tol, "self_9x5_causal", q, key, v, new LocalWindow(9, 5, true));
                primitives(s, p, golden, results, tol, "cross_5x5", q, k0, v0, new LocalWindow(5, 5, false));
            } else {
                sparseFunctions(s, k, golden, results, tol);
            }
        }
        return results;
    }

    private static void primitives(TensorScope s, PrimitiveKernels k, GoldenCase golden, List<ComparisonResult> results, Tolerance tol,
                                   String name, Tensor q, Tensor key, Tensor v, LocalWindow window) {
        Tensor scores = k.localSimilar(s, q, key, window);
        results.add(HostArrays.compare(s, golden, "scores_" + name, scores, tol));
        Tensor out = k.localWeighting(s, k.softmax(s, scores, null, null), v, window);
        results.add(HostArrays.compare(s, golden, "out_" + name, out, tol));
    }

    private static void sparseFunctions(TensorScope s, Kernels k, GoldenCase golden, List<ComparisonResult> results, Tolerance tol) {
        int heads = golden.params().path("n_head").asInt();
        int textLen = golden.params().path("text_len").asInt();
        int l0 = golden.params().path("l0").asInt();
        int l1 = golden.params().path("l1").asInt();
        int ks = golden.params().path("kernel_size").asInt();
        int ks2 = golden.params().path("kernel_size2").asInt();
        LocalWindow self = LocalWindow.of(2 * ks - 1, ks);

        Tensor q0 = HostArrays.upload(s, golden, "q0");
        Tensor k0 = HostArrays.upload(s, golden, "k0");
        Tensor v0 = HostArrays.upload(s, golden, "v0");
        Tensor q1 = HostArrays.upload(s, golden, "q1");
        Tensor k1 = HostArrays.upload(s, golden, "k1");
        Tensor v1 = HostArrays.upload(s, golden, "v1");
        int level0 = q0.shape().dim(1);

        // sparse_attention_2d_light: level 0 standard attention with mask and bias ...
        Tensor context0 = k.attention(s, q0, k0, v0, heads, level0, HostArrays.upload(s, golden, "mask0"), HostArrays.upload(s, golden, "lw0"));
        results.add(HostArrays.compare(s, golden, "light_context0", context0, tol));
        // ... level 1: the cross window reads the last l0*l0 level-0 keys (the coarse image).
        Tensor imageKeys = k.slice(s, k0, 1, textLen, l0 * l0);
        Tensor imageValues = k.slice(s, v0, 1, textLen, l0 * l0);
        Tensor context1 = k.gridAttention(s, q1, k1, v1, heads, l1, self,
                new GridContext.CrossGrid(imageKeys, imageValues, l0, LocalWindow.of(ks2, ks2)));
        results.add(HostArrays.compare(s, golden, "light_context1", context1, tol));

        // sparse_attention_2d_text: text level with a key mask, then the grid with every text key + 9x5 window.
        Tensor qt = HostArrays.upload(s, golden, "q0_text");
        Tensor kt = HostArrays.upload(s, golden, "k0_text");
        Tensor vt = HostArrays.upload(s, golden, "v0_text");
        float[] keyMask = golden.floats("text_key_mask");
        int n = keyMask.length;
        float[] rows = new float[n * n];
        for (int i = 0; i < n; i++) {
            System.arraycopy(keyMask, 0, rows, i * n, n);
        }
        Tensor text0 = k.attention(s, qt, kt, vt, heads, n, s.fromFloats(rows, Shape.of(n, n)), null);
        Tensor text1 = k.gridAttention(s, q1, k1, v1, heads, l1, self,
                new GridContext.GlobalKeys(kt, vt, s.fromFloats(keyMask, Shape.of(n))));
        results.add(HostArrays.compare(s, golden, "text_context", k.concat(s, 1, text0, text1), tol));
    }
}
