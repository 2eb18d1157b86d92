package org.cogview2.conformance.rules;

import org.cogview2.conformance.CaseContext;
import org.cogview2.conformance.ComparisonResult;
import org.cogview2.conformance.HostTensor;
import org.cogview2.conformance.KernelOp;
import org.cogview2.conformance.Rule;
import org.cogview2.conformance.Tolerances;
import org.cogview2.spi.DType;

import java.util.List;
import java.util.Set;

import static org.cogview2.spi.Capability.BF16_WEIGHTS;
import static org.cogview2.spi.Capability.F16_WEIGHTS;
import static org.cogview2.spi.Capability.PRIMITIVE_KERNELS;

/** linear, matmul, add, scale, cast. */
final class DenseRules {

    private DenseRules() {
    }

    private static final KernelOp LINEAR = KernelOp.single((k, s, in) -> k.linear(s, in[0], in[1], in[2]));
    private static final KernelOp ADD = KernelOp.single((k, s, in) -> k.add(s, in[0], in[1]));

    static List<Rule> rules() {
        return List.of(
                Rule.builder("linear_is_fp32_dot_product_plus_bias", "linear")
                        .description("y = x . weight^T + bias with fp32 products and sums (bias added after the dot"
                                + " product); the leading dimensions of x are kept.")
                        .tolerance(Tolerances.REDUCTION)
                        .check("x[3,17] w[29,17] + bias", c -> linear(c, new int[]{3, 17}, 29, DType.F32, true))
                        .check("batch 1: x[1,1,64] w[64,64] + bias", c -> linear(c, new int[]{1, 1, 64}, 64, DType.F32, true))
                        .check("x[2,5,33] w[7,33] without bias", c -> linear(c, new int[]{2, 5, 33}, 7, DType.F32, false))
                        .check("long reduction x[4,2048] w[16,2048]", c -> linear(c, new int[]{4, 2048}, 16, DType.F32, true))
                        .build(),
                Rule.builder("linear_f16_weights_accumulate_in_fp32", "linear")
                        .description("binary16 weight and bias are widened exactly and the products summed in fp32:"
                                + " no fp16 accumulation, no fp16 rounding of the result.")
                        .requires(F16_WEIGHTS).tolerance(Tolerances.REDUCTION)
                        .check("x[5,257] w f16[33,257] + bias f16", c -> linear(c, new int[]{5, 257}, 33, DType.F16, true))
                        .check("decode step x[1,1,64] w f16[300,64]", c -> linear(c, new int[]{1, 1, 64}, 300, DType.F16, false))
                        .build(),
                Rule.builder("linear_bf16_weights_are_widened_exactly", "linear")
                        .description("bfloat16 weight and bias are widened exactly (bits << 16) and summed in fp32.")
                        .requires(BF16_WEIGHTS).tolerance(Tolerances.REDUCTION)
                        .check("x[3,96] w bf16[40,96] + bias bf16", c -> linear(c, new int[]{3, 96}, 40, DType.BF16, true))
                        .build(),

                Rule.builder("matmul_is_a_batched_fp32_product", "matmul").requires(PRIMITIVE_KERNELS)
                        .description("a [..., M, K] . b [..., K, N] for every leading index, fp32.")
                        .tolerance(Tolerances.REDUCTION)
                        .check("a[2,3,5,7] b[2,3,7,9]", c -> matmul(c, new int[]{2, 3, 5, 7}, 9, false))
                        .check("a[1,1,13] b[1,13,1]", c -> matmul(c, new int[]{1, 1, 13}, 1, false))
                        .check("a[4,31,64] b[4,64,33]", c -> matmul(c, new int[]{4, 31, 64}, 33, false))
                        .build(),
                Rule.builder("matmul_transposeB_multiplies_by_b_transposed", "matmul").requires(PRIMITIVE_KERNELS)
                        .description("with transposeB, b is [..., N, K] and the product is a . b^T.")
                        .tolerance(Tolerances.REDUCTION)
                        .check("attention scores a[4,13,16] b[4,1031,16]", c -> matmul(c, new int[]{4, 13, 16}, 1031, true))
                        .check("a[1,1,8] b[1,3,8]", c -> matmul(c, new int[]{1, 1, 8}, 3, true))
                        .build(),

                Rule.builder("add_is_an_exact_fp32_sum", "add")
                        .description("a + b element-wise: one correctly rounded fp32 addition per element.")
                        .tolerance(Tolerances.EXACT)
                        .check("a[3,17] + b[3,17]", c -> c.compare(ADD, c.normal(1, 3, 17), c.normal(1, 3, 17)))
                        .check("residual a[1,4096] + b[1,4096]", c -> c.compare(ADD, c.normal(10, 1, 4096), c.normal(0.01, 1, 4096)))
                        .build(),
                Rule.builder("add_broadcasts_b_over_leading_dims", "add")
                        .description("b with a suffix of a's shape is repeated over a's leading dimensions.")
                        .tolerance(Tolerances.EXACT)
                        .check("a[2,3,64] + b[64]", c -> c.compare(ADD, c.normal(1, 2, 3, 64), c.normal(1, 64)))
                        .check("a[4,5,6] + b[5,6]", c -> c.compare(ADD, c.normal(1, 4, 5, 6), c.normal(1, 5, 6)))
                        .check("a[7] + scalar b[]", c -> c.compare(ADD, c.normal(1, 7), c.normal(1)))
                        .build(),
                Rule.builder("add_half_precision_b_is_widened_exactly", "add")
                        .description("an F16 or BF16 b (a bias) is widened exactly before the fp32 addition.")
                        .tolerance(Tolerances.EXACT)
                        .check("a[3,8] + b f16[8]", Set.of(F16_WEIGHTS), c -> c.compare(ADD, c.normal(1, 3, 8), c.normal(1, 8).as(DType.F16)))
                        .check("a[3,8] + b bf16[8]", Set.of(BF16_WEIGHTS), c -> c.compare(ADD, c.normal(1, 3, 8), c.normal(1, 8).as(DType.BF16)))
                        .build(),

                Rule.builder("scale_is_one_fp32_multiplication", "scale").requires(PRIMITIVE_KERNELS)
                        .description("x * factor: one correctly rounded fp32 multiplication per element.")
                        .tolerance(Tolerances.EXACT)
                        .check("x[7,13] * 0.125", c -> scale(c, c.normal(1, 7, 13), 0.125f))
                        .check("x[100] * 1/sqrt(3)", c -> scale(c, c.normal(1, 100), (float) (1 / Math.sqrt(3))))
                        .check("x[5] * -2.5e-3", c -> scale(c, c.normal(100, 5), -2.5e-3f))
                        .build(),

                Rule.builder("cast_to_f16_rounds_to_nearest_even", "cast")
                        .description("F32 to F16 rounds to the nearest binary16, ties to even; overflow gives"
                                + " infinity; tiny values become subnormals.")
                        .requires(PRIMITIVE_KERNELS, F16_WEIGHTS).tolerance(Tolerances.EXACT)
                        .check("random, ties, overflow, subnormals", c -> cast(c, roundingProbe(c, 0x1p-11f), DType.F16))
                        .build(),
                Rule.builder("cast_to_bf16_rounds_to_nearest_even", "cast")
                        .description("F32 to BF16 keeps the top 16 bits, rounding to nearest, ties to even.")
                        .requires(PRIMITIVE_KERNELS, BF16_WEIGHTS).tolerance(Tolerances.EXACT)
                        .check("random, ties, large values", c -> cast(c, roundingProbe(c, 0x1p-8f), DType.BF16))
                        .build(),
                Rule.builder("cast_half_to_f32_widens_exactly", "cast").requires(PRIMITIVE_KERNELS)
                        .description("F16 and BF16 to F32 are exact.")
                        .tolerance(Tolerances.EXACT)
                        .check("f16[64] -> f32", Set.of(F16_WEIGHTS), c -> cast(c, c.normal(3, 64).as(DType.F16), DType.F32))
                        .check("bf16[64] -> f32", Set.of(BF16_WEIGHTS), c -> cast(c, c.normal(3, 64).as(DType.BF16), DType.F32))
                        .build(),
                Rule.builder("cast_float_to_i32_truncates_toward_zero", "cast").requires(PRIMITIVE_KERNELS)
                        .description("F32 to I32 drops the fraction (toward zero).")
                        .tolerance(Tolerances.EXACT)
                        .check("x[100] in (-1000, 1000) and +-0.5, +-2.5", c -> {
                            float[] v = c.uniformValues(100, -1000, 1000);
                            v[0] = 0.5f;
                            v[1] = -0.5f;
                            v[2] = 2.5f;
                            v[3] = -2.5f;
                            v[4] = -0.0f;
                            v[5] = 7f;
                            return cast(c, HostTensor.f32(new int[]{100}, v), DType.I32);
                        })
                        .build(),
                Rule.builder("cast_i32_to_f32_is_exact", "cast").requires(PRIMITIVE_KERNELS)
                        .description("I32 values up to 2^24 in magnitude convert to F32 exactly.")
                        .tolerance(Tolerances.EXACT)
                        .check("ids[2,50]", c -> cast(c, c.ints(1 << 24, 2, 50), DType.F32))
                        .build());
    }

    private static List<ComparisonResult> linear(CaseContext c, int[] xShape, int n, DType weightType, boolean bias) {
        int k = xShape[xShape.length - 1];
        HostTensor x = c.normal(1, xShape);
        HostTensor w = c.normal(1 / Math.sqrt(k), n, k).as(weightType);
        HostTensor b = bias ? c.normal(0.5, n).as(weightType) : null;
        return c.compare(LINEAR, x, w, b);
    }

    private static List<ComparisonResult> matmul(CaseContext c, int[] aShape, int n, boolean transposeB) {
        int rank = aShape.length;
        int k = aShape[rank - 1];
        int[] bShape = aShape.clone();
        bShape[rank - 2] = transposeB ? n : k;
        bShape[rank - 1] = transposeB ? k : n;
        HostTensor a = c.normal(1, aShape);
        HostTensor b = c.normal(1 / Math.sqrt(k), bShape);
        return c.compare(KernelOp.primitive((kn, s, in) -> kn.matmul(s, in[0], in[1], transposeB)), a, b);
    }

    private static List<ComparisonResult> scale(CaseContext c, HostTensor x, float factor) {
        return c.compare(KernelOp.primitive((k, s, in) -> k.scale(s, in[0], factor)), x);
    }

    private static List<ComparisonResult> cast(CaseContext c, HostTensor x, DType to) {
        return c.compare(KernelOp.primitive((k, s, in) -> k.cast(s, in[0], to)), x);
    }

    /** Random values plus exact ties at the given half-spacing above 1, huge values and tiny ones. */
    private static HostTensor roundingProbe(CaseContext c, float halfUlpAtOne) {
        float[] v = c.gaussian(96, 50);
        int i = 0;
        for (int odd = 1; odd <= 15; odd += 2) {
            v[i++] = 1 + odd * halfUlpAtOne;   // exactly between two representable neighbours
            v[i++] = -(2 + odd * 2 * halfUlpAtOne);
        }
        v[i++] = 70000f;
        v[i++] = -1e30f;
        v[i++] = 3e-6f;
        v[i++] = -4e-8f;
        v[i++] = 65519.99f;
        v[i] = -0.0f;
        return HostTensor.f32(new int[]{96}, v);
    }
}
