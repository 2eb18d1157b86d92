package org.cogview2.conformance.rules;

import org.cogview2.conformance.CaseContext;
import org.cogview2.conformance.ComparisonResult;
import org.cogview2.conformance.HostTensor;
import org.cogview2.conformance.KernelOp;
import org.cogview2.conformance.Rule;
import org.cogview2.conformance.Tolerance;
import org.cogview2.conformance.Tolerances;
import org.cogview2.spi.DType;
import org.cogview2.spi.PrimitiveKernels;
import org.cogview2.spi.Tensor;

import java.util.List;
import java.util.Set;

import static org.cogview2.spi.Capability.PRIMITIVE_KERNELS;
import static org.cogview2.spi.Capability.BF16_WEIGHTS;
import static org.cogview2.spi.Capability.F16_WEIGHTS;
import static org.cogview2.spi.Capability.IMAGE_OPS;

/** layerNorm, groupNorm, gelu, silu, softmax, logSoftmaxGather, topK. */
final class NormRules {

    private NormRules() {
    }

    /**
     * For rows whose mean is 1000 standard deviations away from 0, fp32 rounding of the mean alone moves the output
     * by about 1e-4; the naive {@code E[x^2] - E[x]^2} formula is off by several percent.
     */
    static final Tolerance LARGE_MEAN = Tolerance.absRel(2e-3, 2e-3);

    static List<Rule> rules() {
        return List.of(
                Rule.builder("layerNorm_normalises_the_last_dim_with_biased_variance", "layerNorm")
                        .description("(x - mean) / sqrt(var + eps) * gamma + beta over the last dimension, biased"
                                + " variance, fp32 statistics.")
                        .tolerance(Tolerances.REDUCTION)
                        .check("x[3,63] eps 1e-5", c -> layerNorm(c, c.normal(1, 3, 63), DType.F32, 1e-5f))
                        .check("sandwich block x[2,5,64]", c -> layerNorm(c, c.normal(2, 2, 5, 64), DType.F32, 1e-5f))
                        .check("x[1,1024] eps 1e-6", c -> layerNorm(c, c.normal(1, 1, 1024), DType.F32, 1e-6f))
                        .check("constant rows x[4,64] (zero variance: output beta)", c -> {
                            float[] v = new float[4 * 64];
                            for (int i = 0; i < v.length; i++) {
                                v[i] = (i / 64) * 0.75f - 1f; // exactly representable sums
                            }
                            return layerNorm(c, HostTensor.f32(new int[]{4, 64}, v), DType.F32, 1e-5f);
                        })
                        .build(),
                Rule.builder("layerNorm_variance_is_stable_for_large_means", "layerNorm")
                        .description("rows of 1000 + N(0,1): the variance must be computed around the mean (two-pass"
                                + " or Welford), not as E[x^2] - E[x]^2. Tolerance " + LARGE_MEAN.describe() + ".")
                        .tolerance(LARGE_MEAN)
                        .check("x[4,64] = 1000 + N(0,1)", c -> {
                            float[] v = c.gaussian(4 * 64, 1);
                            for (int i = 0; i < v.length; i++) {
                                v[i] += 1000f;
                            }
                            return layerNorm(c, HostTensor.f32(new int[]{4, 64}, v), DType.F32, 1e-5f);
                        })
                        .build(),
                Rule.builder("layerNorm_half_affine_parameters_are_widened", "layerNorm")
                        .description("F16/BF16 gamma and beta are widened exactly.")
                        .tolerance(Tolerances.REDUCTION)
                        .check("x[4,64] gamma, beta f16", Set.of(F16_WEIGHTS), c -> layerNorm(c, c.normal(1, 4, 64), DType.F16, 1e-5f))
                        .check("x[4,64] gamma, beta bf16", Set.of(BF16_WEIGHTS), c -> layerNorm(c, c.normal(1, 4, 64), DType.BF16, 1e-5f))
                        .build(),

                Rule.builder("groupNorm_normalises_groups_of_consecutive_channels", "groupNorm")
                        .description("per sample and group of C/groups consecutive channels: mean and biased"
                                + " variance over (C/groups)*H*W values, then per-channel gamma and beta.")
                        .requires(IMAGE_OPS).tolerance(Tolerances.REDUCTION)
                        .check("VQ-VAE: x[1,64,9,9] 32 groups eps 1e-6", c -> groupNorm(c, new int[]{1, 64, 9, 9}, 32, DType.F32))
                        .check("x[2,96,5,7] 32 groups", c -> groupNorm(c, new int[]{2, 96, 5, 7}, 32, DType.F32))
                        .check("x[1,128,16,16] 32 groups", c -> groupNorm(c, new int[]{1, 128, 16, 16}, 32, DType.F32))
                        .check("x[1,6,3,3] 3 groups", c -> groupNorm(c, new int[]{1, 6, 3, 3}, 3, DType.F32))
                        .build(),
                Rule.builder("groupNorm_half_affine_parameters_are_widened", "groupNorm")
                        .description("F16 gamma and beta are widened exactly.")
                        .requires(IMAGE_OPS, F16_WEIGHTS).tolerance(Tolerances.REDUCTION)
                        .check("x[1,64,4,4] 32 groups gamma, beta f16", c -> groupNorm(c, new int[]{1, 64, 4, 4}, 32, DType.F16))
                        .build(),

                Rule.builder("gelu_is_the_tanh_approximation_in_fp32", "gelu")
                        .description("0.5 x (1 + tanh(0.7978845608028654 x (1 + 0.044715 x^2))) in fp32 (not the erf"
                                + " form).")
                        .tolerance(Tolerances.TRANSCENDENTAL)
                        .check("x[4,257] in [-8, 8)", c -> unary(c, c.uniform(-8, 8, 4, 257), false))
                        .check("tails x[200] in [-30, 30)", c -> unary(c, c.uniform(-30, 30, 200), false))
                        .check("near zero x[100] in [-1e-3, 1e-3)", c -> unary(c, c.uniform(-1e-3, 1e-3, 100), false))
                        .build(),
                Rule.builder("silu_is_x_times_sigmoid", "silu")
                        .description("x * sigmoid(x) = x / (1 + exp(-x)).")
                        .tolerance(Tolerances.TRANSCENDENTAL)
                        .check("x[3,100] in [-12, 12)", c -> unary(c, c.uniform(-12, 12, 3, 100), true))
                        .check("x[1,4096] N(0, 3)", c -> unary(c, c.normal(3, 1, 4096), true))
                        .build(),

                Rule.builder("softmax_normalises_over_the_last_dim", "softmax").requires(PRIMITIVE_KERNELS)
                        .description("exp(s - max) / sum over the last dimension.")
                        .tolerance(Tolerances.TRANSCENDENTAL)
                        .check("scores[2,3,5,7]", c -> softmax(c, c.normal(2, 2, 3, 5, 7), null, null))
                        .check("vocabulary rows [2,20000] N(0, 4)", c -> softmax(c, c.normal(4, 2, 20000), null, null))
                        .build(),
                Rule.builder("softmax_masked_scores_are_minus_10000", "softmax").requires(PRIMITIVE_KERNELS)
                        .description("a score where the 0/1 mask is 0 becomes exactly -10000 (not -infinity): a fully"
                                + " masked row is uniform, not NaN.")
                        .tolerance(Tolerances.TRANSCENDENTAL)
                        .check("scores[2,4,9] random mask, row 3 fully masked", c -> {
                            HostTensor mask = randomMask(c, 4, 9, 3);
                            return softmax(c, c.normal(3, 2, 4, 9), mask, null);
                        })
                        .build(),
                Rule.builder("softmax_bias_is_added_before_masking", "softmax").requires(PRIMITIVE_KERNELS)
                        .description("s + bias first, then the mask: a masked score is -10000 whatever its bias.")
                        .tolerance(Tolerances.TRANSCENDENTAL)
                        .check("scores[1,5,6] bias N(0,5), row 2 fully masked", c -> {
                            HostTensor mask = randomMask(c, 5, 6, 2);
                            return softmax(c, c.normal(1, 1, 5, 6), mask, c.normal(5, 5, 6));
                        })
                        .build(),

                Rule.builder("logSoftmaxGather_is_the_log_of_the_softmax_at_the_target", "logSoftmaxGather")
                        .description("log(softmax(row))[target] per row.")
                        .tolerance(Tolerances.LOG_PROBABILITY)
                        .check("logits[4,20000] N(0,3)", c -> logSoftmax(c, c.normal(3, 4, 20000), c.ints(20000, 4)))
                        .check("logits[7,13]", c -> logSoftmax(c, c.normal(1, 7, 13), c.ints(13, 7)))
                        .build(),
                Rule.builder("logSoftmaxGather_underflow_gives_minus_infinity", "logSoftmaxGather")
                        .description("evaluated as log(softmax(x)): a probability that underflows to 0 in fp32 gives"
                                + " -infinity, as SAT's evaluate_perplexity does (not x - logsumexp).")
                        .tolerance(Tolerances.LOG_PROBABILITY)
                        .check("logits[3,50] with targets 150 and 200 below the maximum", c -> {
                            float[] logits = c.gaussian(3 * 50, 1);
                            int[] targets = {7, 31, 4};
                            logits[targets[0]] = -200f;
                            logits[50 + targets[1]] = -150f;
                            return logSoftmax(c, HostTensor.f32(new int[]{3, 50}, logits), HostTensor.i32(new int[]{3}, targets));
                        })
                        .build(),

                Rule.builder("topK_returns_the_k_largest_sorted_descending", "topK")
                        .description("values (exact copies) and I32 indices of the k largest entries of each row,"
                                + " sorted descending.")
                        .requires(PRIMITIVE_KERNELS).tolerance(Tolerances.EXACT)
                        .check("x[3,1000] k=40", c -> topK(c, c.normal(1, 3, 1000), 40))
                        .check("x[2,20000] k=1", c -> topK(c, c.normal(1, 2, 20000), 1))
                        .check("full sort x[2,50] k=50", c -> topK(c, c.normal(1, 2, 50), 50))
                        .check("x[1,4,16] k=5", c -> topK(c, c.normal(1, 1, 4, 16), 5))
                        .build(),
                Rule.builder("topK_ties_keep_the_lower_index_first", "topK")
                        .description("equal values are ordered by ascending index.")
                        .requires(PRIMITIVE_KERNELS).tolerance(Tolerances.EXACT)
                        .check("x[4,64] of 5 distinct values, k=10", c -> {
                            float[] v = new float[4 * 64];
                            for (int i = 0; i < v.length; i++) {
                                v[i] = c.random().nextInt(5) * 0.5f;
                            }
                            return topK(c, HostTensor.f32(new int[]{4, 64}, v), 10);
                        })
                        .check("constant row x[1,30] k=7", c -> topK(c, HostTensor.f32(new int[]{1, 30}, new float[30]), 7))
                        .build());
    }

    private static List<ComparisonResult> layerNorm(CaseContext c, HostTensor x, DType paramType, float eps) {
        int h = x.shape()[x.shape().length - 1];
        HostTensor gamma = HostTensor.f32(new int[]{h}, plusOne(c.gaussian(h, 0.2))).as(paramType);
        HostTensor beta = c.normal(0.2, h).as(paramType);
        return c.compare(KernelOp.single((k, s, in) -> k.layerNorm(s, in[0], in[1], in[2], eps)), x, gamma, beta);
    }

    private static List<ComparisonResult> groupNorm(CaseContext c, int[] shape, int groups, DType paramType) {
        int channels = shape[1];
        float[] x = c.gaussian(CaseContext.count(shape), 1);
        for (int i = 0; i < x.length; i++) {
            x[i] += 0.3f;
        }
        HostTensor gamma = HostTensor.f32(new int[]{channels}, plusOne(c.gaussian(channels, 0.2))).as(paramType);
        HostTensor beta = c.normal(0.2, channels).as(paramType);
        return c.compare(KernelOp.single((k, s, in) -> k.groupNorm(s, in[0], groups, in[1], in[2], 1e-6f)),
                HostTensor.f32(shape, x), gamma, beta);
    }

    private static float[] plusOne(float[] v) {
        for (int i = 0; i < v.length; i++) {
            v[i] += 1f;
        }
        return v;
    }

    private static List<ComparisonResult> unary(CaseContext c, HostTensor x, boolean silu) {
        return c.compare(KernelOp.single((k, s, in) -> silu ? k.silu(s, in[0]) : k.gelu(s, in[0])), x);
    }

    private static List<ComparisonResult> softmax(CaseContext c, HostTensor scores, HostTensor mask, HostTensor bias) {
        return c.compare(KernelOp.primitive((k, s, in) -> k.softmax(s, in[0], in[1], in[2])), scores, mask, bias);
    }

    /** A 0/1 mask of about half ones, with row {@code fullyMasked} all zeros. */
    static HostTensor randomMask(CaseContext c, int rows, int cols, int fullyMasked) {
        float[] m = new float[rows * cols];
        for (int i = 0; i < m.length; i++) {
            m[i] = i / cols == fullyMasked ? 0f : c.random().nextInt(2);
        }
        return HostTensor.f32(new int[]{rows, cols}, m);
    }

    private static List<ComparisonResult> logSoftmax(CaseContext c, HostTensor logits, HostTensor targets) {
        return c.compare(KernelOp.single((k, s, in) -> k.logSoftmaxGather(s, in[0], in[1])), logits, targets);
    }

    private static List<ComparisonResult> topK(CaseContext c, HostTensor x, int kCount) {
        return c.compare((k, s, in) -> {
            var top = ((PrimitiveKernels) k).topK(s, in[0], kCount);
            return new Tensor[]{top.values(), top.indices()};
        }, x);
    }
}
