package org.cogview2.conformance.rules;

import org.cogview2.conformance.CaseContext;
import org.cogview2.conformance.ComparisonResult;
import org.cogview2.conformance.HostTensor;
import org.cogview2.conformance.KernelOp;
import org.cogview2.conformance.Rule;
import org.cogview2.conformance.Tolerances;

import java.util.List;

/** attention: SAT's standard attention over a key/value cache. */
final class AttentionRules {

    private AttentionRules() {
    }

    static List<Rule> rules() {
        return List.of(
                Rule.builder("attention_scales_q_by_inverse_sqrt_head_dim_before_the_dot_product", "attention")
                        .description("per head s = (q / sqrt(d)) . k, softmax over keys, out = p . v; head j is"
                                + " features [j*d, (j+1)*d).")
                        .tolerance(Tolerances.REDUCTION)
                        .check("B1 Lq5 keys5 heads2 d8", c -> attention(c, 1, 5, 1, 5, 5, 2, 8, null, null))
                        .check("B2 Lq7 keys7 heads4 d16", c -> attention(c, 2, 7, 2, 7, 7, 4, 16, null, null))
                        .build(),
                Rule.builder("attention_masked_scores_are_minus_10000", "attention")
                        .description("where mask == 0 the score is s*m - 10000*(1-m) = -10000 exactly: a fully masked"
                                + " query row is uniform over the keys, not NaN.")
                        .tolerance(Tolerances.REDUCTION)
                        .check("CogLM stage-1 mask (5 text + 12 image tokens) with a fully masked row", c -> {
                            int n = 17;
                            float[] m = new float[n * n];
                            for (int i = 0; i < n; i++) {
                                for (int j = 0; j < n; j++) {
                                    m[i * n + j] = j < 5 || j <= i ? 1f : 0f;
                                }
                            }
                            java.util.Arrays.fill(m, 9 * n, 10 * n, 0f);
                            return attention(c, 2, n, 2, n, n, 2, 8, HostTensor.f32(new int[]{n, n}, m), null);
                        })
                        .build(),
                Rule.builder("attention_bias_is_added_before_masking", "attention")
                        .description("the additive bias (log attention weights) is added before the mask, so masked"
                                + " scores stay exactly -10000.")
                        .tolerance(Tolerances.REDUCTION)
                        .check("text bias 1.4 + random bias, random mask, row 3 fully masked", c -> {
                            int lq = 6;
                            int keys = 11;
                            HostTensor mask = NormRules.randomMask(c, lq, keys, 3);
                            float[] bias = c.gaussian(lq * keys, 3);
                            for (int i = 0; i < lq; i++) {
                                for (int j = 0; j < 4; j++) {
                                    bias[i * keys + j] = 1.4f;
                                }
                            }
                            return attention(c, 1, lq, 1, keys, keys, 2, 8, mask, HostTensor.f32(new int[]{lq, keys}, bias));
                        })
                        .build(),
                Rule.builder("attention_uses_only_the_first_keyLength_cache_positions", "attention")
                        .description("positions keyLength..Lcap-1 of the cache are never read (here they hold NaN).")
                        .tolerance(Tolerances.REDUCTION)
                        .check("cache 40, keyLength 23, NaN tail", c -> {
                            int cap = 40;
                            int used = 23;
                            int hidden = 16;
                            HostTensor q = c.normal(1, 1, 3, hidden);
                            float[] k = c.gaussian(cap * hidden, 1);
                            float[] v = c.gaussian(cap * hidden, 1);
                            java.util.Arrays.fill(k, used * hidden, cap * hidden, Float.NaN);
                            java.util.Arrays.fill(v, used * hidden, cap * hidden, Float.NaN);
                            return c.compare(op(2, used), q, HostTensor.f32(new int[]{1, cap, hidden}, k),
                                    HostTensor.f32(new int[]{1, cap, hidden}, v), null, null);
                        })
                        .build(),
                Rule.builder("attention_shared_prefix_cache_is_broadcast_over_the_batch", "attention")
                        .description("k and v with batch 1 serve every query batch entry.")
                        .tolerance(Tolerances.REDUCTION)
                        .check("B3 Bk1 Lq4 keys9 heads2 d8", c -> attention(c, 3, 4, 1, 9, 9, 2, 8, null, null))
                        .build(),
                Rule.builder("attention_handles_long_key_sequences", "attention")
                        .description("softmax and weighted sums over 1000+ keys.")
                        .tolerance(Tolerances.REDUCTION)
                        .check("Lq3 keyLength 1031 heads4 d16", c -> attention(c, 1, 3, 1, 1040, 1031, 4, 16, null, null))
                        .check("decode step B1 Lq1 keyLength 1000 heads4 d64", c -> attention(c, 1, 1, 1, 1000, 1000, 4, 64, null, null))
                        .build());
    }

    static KernelOp op(int heads, int keyLength) {
        return KernelOp.single((k, s, in) -> k.attention(s, in[0], in[1], in[2], heads, keyLength, in[3], in[4]));
    }

    private static List<ComparisonResult> attention(CaseContext c, int batch, int lq, int bk, int cap, int keyLength,
                                                    int heads, int d, HostTensor mask, HostTensor bias) {
        int hidden = heads * d;
        // q . k ~ N(0, d) so that the scaled scores are of order 1 and a missing 1/sqrt(d) changes the result.
        return c.compare(op(heads, keyLength), c.normal(1, batch, lq, hidden), c.normal(1, bk, cap, hidden),
                c.normal(1, bk, cap, hidden), mask, bias);
    }
}
