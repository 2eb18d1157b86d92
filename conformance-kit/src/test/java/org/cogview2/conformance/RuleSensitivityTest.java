package org.cogview2.conformance;

import org.cogview2.backend.reference.ReferenceBackend;
import org.cogview2.spi.Backend;
import org.cogview2.spi.Capability;
import org.cogview2.spi.Conv2dSpec;
import org.cogview2.spi.DType;
import org.cogview2.spi.GridContext;
import org.cogview2.spi.Kernels;
import org.cogview2.spi.LocalWindow;
import org.cogview2.spi.Shape;
import org.cogview2.spi.Tensor;
import org.cogview2.spi.TensorScope;
import org.cogview2.spi.TopK;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.TestFactory;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteOrder;
import java.util.Arrays;
import java.util.Comparator;
import java.util.EnumSet;
import java.util.List;
import java.util.function.Function;
import java.util.function.Supplier;
import java.util.stream.IntStream;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Each rule catches the mistake it is named after: a backend with that one mistake (a plausible wrong reading of
 * the contract) fails the rule. The mutants are the reference backend with one kernel replaced.
 */
class RuleSensitivityTest {

    private static ReferenceBackend reference;

    @BeforeAll
    static void start() {
        reference = new ReferenceBackend(2);
    }

    @AfterAll
    static void stop() {
        reference.close();
    }

    record Mutant(String rule, String mistake, Supplier<Backend> backend) {
    }

    private static Backend mutant(String name, Function<Kernels, Kernels> wrap) {
        return new WrappedBackend(name, EnumSet.allOf(Capability.class), wrap);
    }

    static List<Mutant> mutants() {
        return List.of(
                new Mutant("softmax_masked_scores_are_minus_10000", "masks with -infinity",
                        () -> mutant("softmax-inf", k -> new DelegatingKernels(k) {
                            @Override
                            public Tensor softmax(TensorScope s, Tensor scores, Tensor mask, Tensor bias) {
                                return hostSoftmax(s, scores, mask, bias, false);
                            }
                        })),
                new Mutant("softmax_bias_is_added_before_masking", "adds the bias after masking",
                        () -> mutant("softmax-bias-late", k -> new DelegatingKernels(k) {
                            @Override
                            public Tensor softmax(TensorScope s, Tensor scores, Tensor mask, Tensor bias) {
                                return hostSoftmax(s, scores, mask, bias, true);
                            }
                        })),
                new Mutant("logSoftmaxGather_underflow_gives_minus_infinity", "uses the stable x - logsumexp(x)",
                        () -> mutant("stable-log-softmax", k -> new DelegatingKernels(k) {
                            @Override
                            public Tensor logSoftmaxGather(TensorScope s, Tensor logits, Tensor targets) {
                                float[] x = s.readFloats(logits);
                                int[] t = s.readInts(targets);
                                int v = logits.shape().dim(1);
                                float[] y = new float[t.length];
                                for (int r = 0; r < t.length; r++) {
                                    double max = Double.NEGATIVE_INFINITY;
                                    for (int j = 0; j < v; j++) {
                                        max = Math.max(max, x[r * v + j]);
                                    }
                                    double sum = 0;
                                    for (int j = 0; j < v; j++) {
                                        sum += Math.exp(x[r * v + j] - max);
                                    }
                                    y[r] = (float) (x[r * v + t[r]] - max - Math.log(sum));
                                }
                                return s.fromFloats(y, Shape.of(t.length));
                            }
                        })),
                new Mutant("linear_f16_weights_accumulate_in_fp32", "rounds the result to fp16",
                        () -> mutant("linear-fp16", k -> new DelegatingKernels(k) {
                            @Override
                            public Tensor linear(TensorScope s, Tensor x, Tensor w, Tensor b) {
                                return delegate.cast(s, delegate.cast(s, delegate.linear(s, x, w, b), DType.F16), DType.F32);
                            }
                        })),
                new Mutant("attention_scales_q_by_inverse_sqrt_head_dim_before_the_dot_product", "does not scale q",
                        () -> mutant("attention-unscaled", k -> new DelegatingKernels(k) {
                            @Override
                            public Tensor attention(TensorScope s, Tensor q, Tensor key, Tensor v, int heads, int len,
                                                    Tensor mask, Tensor bias) {
                                float d = q.shape().dim(2) / (float) heads;
                                return delegate.attention(s, delegate.scale(s, q, (float) Math.sqrt(d)), key, v, heads,
                                        len, mask, bias);
                            }
                        })),
                new Mutant("attention_masked_scores_are_minus_10000", "masks with -infinity",
                        () -> mutant("attention-inf", k -> new DelegatingKernels(k) {
                            @Override
                            public Tensor attention(TensorScope s, Tensor q, Tensor key, Tensor v, int heads, int len,
                                                    Tensor mask, Tensor bias) {
                                if (mask == null) {
                                    return delegate.attention(s, q, key, v, heads, len, null, bias);
                                }
                                float[] m = s.readFloats(mask);
                                float[] b = bias == null ? new float[m.length] : s.readFloats(bias);
                                for (int i = 0; i < m.length; i++) {
                                    b[i] = m[i] == 0 ? Float.NEGATIVE_INFINITY : b[i];
                                }
                                return delegate.attention(s, q, key, v, heads, len, null, s.fromFloats(b, mask.shape()));
                            }
                        })),
                new Mutant("attention_uses_only_the_first_keyLength_cache_positions", "reads the whole cache",
                        () -> mutant("attention-whole-cache", k -> new DelegatingKernels(k) {
                            @Override
                            public Tensor attention(TensorScope s, Tensor q, Tensor key, Tensor v, int heads, int len,
                                                    Tensor mask, Tensor bias) {
                                return delegate.attention(s, q, key, v, heads, key.shape().dim(1), null, null);
                            }
                        })),
                new Mutant("gridAttention_itersr_attends_to_all_text_keys_with_masked_pads", "ignores the key mask",
                        () -> mutant("grid-no-key-mask", k -> new DelegatingKernels(k) {
                            @Override
                            public Tensor gridAttention(TensorScope s, Tensor q, Tensor key, Tensor v, int heads, int side,
                                                        LocalWindow w, GridContext context) {
                                GridContext c = context instanceof GridContext.GlobalKeys g
                                        ? new GridContext.GlobalKeys(g.keys(), g.values(), null) : context;
                                return delegate.gridAttention(s, q, key, v, heads, side, w, c);
                            }
                        })),
                new Mutant("gridAttention_cells_outside_grid_get_zero_weight", "zero-pads keys and values (score 0)",
                        () -> mutant("grid-zero-pad", k -> new DelegatingKernels(k) {
                            @Override
                            public Tensor gridAttention(TensorScope s, Tensor q, Tensor key, Tensor v, int heads, int side,
                                                        LocalWindow w, GridContext context) {
                                return zeroPaddedGridAttention(s, q, key, v, heads, side, w, context);
                            }
                        })),
                new Mutant("localSimilar_cells_outside_grid_score_exactly_minus_10000", "zero-pads (score 0)",
                        () -> mutant("similar-zero-fill", k -> new DelegatingKernels(k) {
                            @Override
                            public Tensor localSimilar(TensorScope s, Tensor q, Tensor key, LocalWindow w) {
                                Tensor y = delegate.localSimilar(s, q, key, w);
                                float[] v = s.readFloats(y);
                                for (int i = 0; i < v.length; i++) {
                                    v[i] = v[i] == -10000f ? 0f : v[i];
                                }
                                return s.fromFloats(v, y.shape());
                            }
                        })),
                new Mutant("localWeighting_skips_cells_outside_grid", "multiplies weights by zero-padded values",
                        () -> mutant("weighting-zero-pad", k -> new DelegatingKernels(k) {
                            @Override
                            public Tensor localWeighting(TensorScope s, Tensor weights, Tensor v, LocalWindow w) {
                                return zeroPaddedWeighting(s, weights, v, w);
                            }
                        })),
                new Mutant("layerNorm_variance_is_stable_for_large_means", "computes E[x^2] - E[x]^2 in fp32",
                        () -> mutant("layerNorm-naive", k -> new DelegatingKernels(k) {
                            @Override
                            public Tensor layerNorm(TensorScope s, Tensor x, Tensor gamma, Tensor beta, float eps) {
                                float[] v = s.readFloats(x);
                                float[] g = s.readFloats(gamma);
                                float[] b = s.readFloats(beta);
                                int h = g.length;
                                float[] y = new float[v.length];
                                for (int r = 0; r < v.length / h; r++) {
                                    float sum = 0;
                                    float squares = 0;
                                    for (int i = 0; i < h; i++) {
                                        sum += v[r * h + i];
                                        squares += v[r * h + i] * v[r * h + i];
                                    }
                                    float mean = sum / h;
                                    float var = squares / h - mean * mean;
                                    for (int i = 0; i < h; i++) {
                                        y[r * h + i] = (float) ((v[r * h + i] - mean) / Math.sqrt(Math.max(var, 0) + eps)) * g[i] + b[i];
                                    }
                                }
                                return s.fromFloats(y, x.shape());
                            }
                        })),
                new Mutant("topK_ties_keep_the_lower_index_first", "puts the higher index first on ties",
                        () -> mutant("topK-ties", k -> new DelegatingKernels(k) {
                            @Override
                            public TopK topK(TensorScope s, Tensor x, int kCount) {
                                float[] v = s.readFloats(x);
                                int n = x.shape().dim(-1);
                                float[] vals = new float[v.length / n * kCount];
                                int[] idx = new int[vals.length];
                                for (int r = 0; r < v.length / n; r++) {
                                    int row = r;
                                    Integer[] order = IntStream.range(0, n).boxed().sorted(
                                            Comparator.<Integer>comparingDouble(j -> -v[row * n + j])
                                                    .thenComparing(Comparator.<Integer>reverseOrder())).toArray(Integer[]::new);
                                    for (int j = 0; j < kCount; j++) {
                                        idx[r * kCount + j] = order[j];
                                        vals[r * kCount + j] = v[r * n + order[j]];
                                    }
                                }
                                Shape shape = x.shape().withDim(-1, kCount);
                                return new TopK(s.fromFloats(vals, shape), s.fromInts(idx, shape));
                            }
                        })),
                new Mutant("nearestCode_ties_go_to_the_lowest_index", "takes the highest index on ties",
                        () -> mutant("nearest-ties", k -> new DelegatingKernels(k) {
                            @Override
                            public Tensor nearestCode(TensorScope s, Tensor z, Tensor codebook) {
                                float[] f = s.readFloats(z);
                                float[] e = s.readFloats(codebook);
                                int d = z.shape().dim(1);
                                int codes = codebook.shape().dim(0);
                                int[] out = new int[f.length / d];
                                for (int r = 0; r < out.length; r++) {
                                    double best = Double.POSITIVE_INFINITY;
                                    for (int c = 0; c < codes; c++) {
                                        double dist = 0;
                                        for (int i = 0; i < d; i++) {
                                            double diff = f[r * d + i] - e[c * d + i];
                                            dist += diff * diff;
                                        }
                                        if (dist <= best) {
                                            best = dist;
                                            out[r] = c;
                                        }
                                    }
                                }
                                return s.fromInts(out, Shape.of(out.length));
                            }
                        })),
                new Mutant("cast_to_f16_rounds_to_nearest_even", "rounds toward zero",
                        () -> mutant("cast-truncating", k -> new DelegatingKernels(k) {
                            @Override
                            public Tensor cast(TensorScope s, Tensor x, DType dtype) {
                                if (dtype != DType.F16) {
                                    return delegate.cast(s, x, dtype);
                                }
                                float[] v = s.readFloats(x);
                                MemorySegment seg = MemorySegment.ofArray(new byte[2 * v.length]);
                                for (int i = 0; i < v.length; i++) {
                                    short h = Float.floatToFloat16(v[i]);
                                    if (Math.abs(Float.float16ToFloat(h)) > Math.abs(v[i])) {
                                        h--;
                                    }
                                    seg.set(ValueLayout.JAVA_SHORT_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN), 2L * i, h);
                                }
                                return s.upload(seg, DType.F16, x.shape());
                            }
                        })),
                new Mutant("resizeNearest_uses_the_pytorch_fp32_scale_rule", "uses half-pixel centres",
                        () -> mutant("resize-half-pixel", k -> new DelegatingKernels(k) {
                            @Override
                            public Tensor resizeNearest(TensorScope s, Tensor x, int outH, int outW) {
                                float[] v = s.readFloats(x);
                                int planes = x.shape().dim(0) * x.shape().dim(1);
                                int h = x.shape().dim(2);
                                int w = x.shape().dim(3);
                                float[] y = new float[planes * outH * outW];
                                for (int p = 0; p < planes; p++) {
                                    for (int i = 0; i < outH; i++) {
                                        int si = Math.min((int) Math.floor((i + 0.5) * h / outH), h - 1);
                                        for (int j = 0; j < outW; j++) {
                                            int sj = Math.min((int) Math.floor((j + 0.5) * w / outW), w - 1);
                                            y[(p * outH + i) * outW + j] = v[(p * h + si) * w + sj];
                                        }
                                    }
                                }
                                return s.fromFloats(y, Shape.of(x.shape().dim(0), x.shape().dim(1), outH, outW));
                            }
                        })),
                new Mutant("conv2d_asymmetric_padding_with_stride_2", "pads symmetrically",
                        () -> mutant("conv-symmetric", k -> new DelegatingKernels(k) {
                            @Override
                            public Tensor conv2d(TensorScope s, Tensor x, Tensor w, Tensor b, Conv2dSpec spec) {
                                int p = Math.max(spec.padBottom(), spec.padTop());
                                return delegate.conv2d(s, x, w, b, new Conv2dSpec(spec.stride(), p, p, p, p));
                            }
                        })),
                new Mutant("closing_a_scope_releases_its_tensors", "leaks a tensor per scope",
                        () -> new WrappedBackend("leaky", EnumSet.allOf(Capability.class), k -> k) {
                            private final TensorScope leak = inner.newScope();

                            @Override
                            public TensorScope newScope() {
                                leak.zeros(DType.F32, Shape.of(16));
                                return super.newScope();
                            }
                        }));
    }

    @TestFactory
    Stream<DynamicTest> eachRuleFailsTheBackendWithItsMistake() {
        return mutants().stream().map(m -> DynamicTest.dynamicTest(m.rule() + " catches a backend that " + m.mistake(), () -> {
            ConformanceSuite only = ConformanceSuite.standard().filter(r -> r.name().equals(m.rule()));
            assertFalse(only.rules().isEmpty(), "no rule " + m.rule());
            try (Backend backend = m.backend().get()) {
                CertificationReport report = only.run(backend, reference, r -> { });
                assertFalse(report.passed(), () -> m.rule() + " let the mistake through:\n" + report.summary());
                assertTrue(report.failures().stream().allMatch(f -> f.rule().equals(m.rule())));
            }
        }));
    }

    // ------------------------------------------------------------------ host versions of wrong kernels

    /** Softmax with -infinity masking ({@code biasAfterMask == false}) or with the bias added after masking. */
    static Tensor hostSoftmax(TensorScope s, Tensor scores, Tensor mask, Tensor bias, boolean biasAfterMask) {
        float[] x = s.readFloats(scores);
        int lk = scores.shape().dim(-1);
        int lq = scores.shape().rank() >= 2 ? scores.shape().dim(-2) : 1;
        float[] m = mask == null ? null : s.readFloats(mask);
        float[] b = bias == null ? null : s.readFloats(bias);
        float[] y = new float[x.length];
        for (int r = 0; r < x.length / lk; r++) {
            int q = r % lq;
            double[] row = new double[lk];
            for (int j = 0; j < lk; j++) {
                double v = x[r * lk + j];
                double bj = b == null ? 0 : b[q * lk + j];
                boolean masked = m != null && m[q * lk + j] == 0;
                if (biasAfterMask) {
                    v = (masked ? -10000 : v) + bj;
                } else {
                    v = masked ? Double.NEGATIVE_INFINITY : v + bj;
                }
                row[j] = v;
            }
            double max = Arrays.stream(row).max().orElseThrow();
            double sum = Arrays.stream(row).map(v -> Math.exp(v - max)).sum();
            for (int j = 0; j < lk; j++) {
                y[r * lk + j] = (float) (Math.exp(row[j] - max) / sum);
            }
        }
        return s.fromFloats(y, scores.shape());
    }

    /**
     * Grid attention as the unfold-based PyTorch reference computes it: window cells outside a grid read zero keys
     * (score 0) and zero values, and stay in the softmax.
     */
    static Tensor zeroPaddedGridAttention(TensorScope s, Tensor qT, Tensor kT, Tensor vT, int heads, int side,
                                          LocalWindow self, GridContext context) {
        float[] q = s.readFloats(qT);
        float[] k = s.readFloats(kT);
        float[] v = s.readFloats(vT);
        int batch = qT.shape().dim(0);
        int hidden = qT.shape().dim(2);
        int d = hidden / heads;
        GridContext.CrossGrid cross = context instanceof GridContext.CrossGrid c ? c : null;
        GridContext.GlobalKeys global = context instanceof GridContext.GlobalKeys g ? g : null;
        float[] k0 = s.readFloats(cross != null ? cross.keys() : global.keys());
        float[] v0 = s.readFloats(cross != null ? cross.values() : global.values());
        float[] mask = global != null && global.keyMask() != null ? s.readFloats(global.keyMask()) : null;
        int ctxCount = cross != null ? cross.window().size() : k0.length / (batch * hidden);
        int coarse = cross != null ? cross.side() : 0;
        float[] out = new float[q.length];
        double[] scores = new double[ctxCount + self.size()];
        for (int b = 0; b < batch; b++) {
            for (int cell = 0; cell < side * side; cell++) {
                int r = cell / side;
                int c = cell % side;
                for (int h = 0; h < heads; h++) {
                    int qOff = (b * side * side + cell) * hidden + h * d;
                    int[] ctxRows = new int[ctxCount];
                    for (int t = 0; t < ctxCount; t++) {
                        int row;
                        if (cross != null) {
                            int rr = r / (side / coarse) + cross.window().rowOffset(t);
                            int cc = c / (side / coarse) + cross.window().colOffset(t);
                            row = rr >= 0 && rr < coarse && cc >= 0 && cc < coarse ? b * coarse * coarse + rr * coarse + cc : -1;
                        } else {
                            row = b * ctxCount + t;
                        }
                        ctxRows[t] = row;
                        double sc = row < 0 ? 0 : dot(q, qOff, k0, row * hidden + h * d, d) / Math.sqrt(d);
                        scores[t] = mask == null ? sc : sc * mask[t] - 10000 * (1 - mask[t]);
                    }
                    int[] selfRows = new int[self.size()];
                    for (int t = 0; t < self.size(); t++) {
                        int rr = r + self.rowOffset(t);
                        int cc = c + self.colOffset(t);
                        selfRows[t] = rr >= 0 && rr < side && cc >= 0 && cc < side ? b * side * side + rr * side + cc : -1;
                        scores[ctxCount + t] = selfRows[t] < 0 ? 0 : dot(q, qOff, k, selfRows[t] * hidden + h * d, d) / Math.sqrt(d);
                    }
                    double max = Arrays.stream(scores).max().orElseThrow();
                    double sum = Arrays.stream(scores).map(x -> Math.exp(x - max)).sum();
                    for (int f = 0; f < d; f++) {
                        double acc = 0;
                        for (int t = 0; t < ctxCount; t++) {
                            acc += ctxRows[t] < 0 ? 0 : Math.exp(scores[t] - max) / sum * v0[ctxRows[t] * hidden + h * d + f];
                        }
                        for (int t = 0; t < self.size(); t++) {
                            acc += selfRows[t] < 0 ? 0 : Math.exp(scores[ctxCount + t] - max) / sum * v[selfRows[t] * hidden + h * d + f];
                        }
                        out[qOff + f] = (float) acc;
                    }
                }
            }
        }
        return s.fromFloats(out, qT.shape());
    }

    private static double dot(float[] a, int aOff, float[] b, int bOff, int n) {
        double acc = 0;
        for (int i = 0; i < n; i++) {
            acc += (double) a[aOff + i] * b[bOff + i];
        }
        return acc;
    }

    /** Weighting that reads zeros outside the key grid instead of skipping those entries. */
    static Tensor zeroPaddedWeighting(TensorScope s, Tensor weights, Tensor v, LocalWindow window) {
        float[] w = s.readFloats(weights);
        float[] val = s.readFloats(v);
        int n = weights.shape().dim(0);
        int hq = weights.shape().dim(1);
        int wq = weights.shape().dim(2);
        int p = window.size();
        int ch = v.shape().dim(1);
        int hk = v.shape().dim(2);
        int wk = v.shape().dim(3);
        float[] out = new float[n * ch * hq * wq];
        for (int b = 0; b < n; b++) {
            for (int c = 0; c < ch; c++) {
                for (int r = 0; r < hq; r++) {
                    for (int col = 0; col < wq; col++) {
                        float acc = 0;
                        for (int t = 0; t < p; t++) {
                            int rr = r / (hq / hk) + window.rowOffset(t);
                            int cc = col / (wq / wk) + window.colOffset(t);
                            boolean inside = rr >= 0 && rr < hk && cc >= 0 && cc < wk;
                            float value = inside ? val[((b * ch + c) * hk + rr) * wk + cc] : 0f;
                            acc += w[((b * hq + r) * wq + col) * p + t] * value;
                        }
                        out[((b * ch + c) * hq + r) * wq + col] = acc;
                    }
                }
            }
        }
        return s.fromFloats(out, Shape.of(n, ch, hq, wq));
    }
}
