package org.cogview2.conformance.rules;

import org.cogview2.conformance.CaseContext;
import org.cogview2.conformance.ComparisonResult;
import org.cogview2.conformance.HostTensor;
import org.cogview2.conformance.KernelOp;
import org.cogview2.conformance.Rule;
import org.cogview2.conformance.Tolerances;
import org.cogview2.spi.Conv2dSpec;
import org.cogview2.spi.DType;

import java.util.List;

import static org.cogview2.spi.Capability.F16_WEIGHTS;
import static org.cogview2.spi.Capability.IMAGE_OPS;

/** conv2d, resizeNearest, avgPool2x2: the VQ-VAE image codec operations. */
final class ImageRules {

    private ImageRules() {
    }

    static List<Rule> rules() {
        return List.of(
                Rule.builder("conv2d_is_a_zero_padded_cross_correlation_plus_bias", "conv2d")
                        .description("out[b][d][y][x] = sum over (c, i, j) of w[d][c][i][j] * x[b][c][y*s+i-top]"
                                + "[x*s+j-left] (zero outside) + bias[d], fp32.")
                        .requires(IMAGE_OPS).tolerance(Tolerances.REDUCTION)
                        .check("3x3 same padding x[1,8,13,11] w[16,8,3,3] + bias",
                                c -> conv(c, new int[]{1, 8, 13, 11}, new int[]{16, 8, 3, 3}, Conv2dSpec.same(1), true, DType.F32))
                        .check("batch 2 x[2,3,9,9] w[5,3,3,3] + bias",
                                c -> conv(c, new int[]{2, 3, 9, 9}, new int[]{5, 3, 3, 3}, Conv2dSpec.same(1), true, DType.F32))
                        .check("1x1 x[1,32,10,10] w[16,32,1,1] without bias",
                                c -> conv(c, new int[]{1, 32, 10, 10}, new int[]{16, 32, 1, 1}, Conv2dSpec.same(0), false, DType.F32))
                        .check("5x3 kernel, padding 2/1/2/1, x[1,4,8,7]",
                                c -> conv(c, new int[]{1, 4, 8, 7}, new int[]{6, 4, 5, 3}, new Conv2dSpec(1, 2, 1, 2, 1), true, DType.F32))
                        .build(),
                Rule.builder("conv2d_asymmetric_padding_with_stride_2", "conv2d")
                        .description("the VQ-VAE down-sampler: zero padding 0 top/left and 1 bottom/right, stride 2.")
                        .requires(IMAGE_OPS).tolerance(Tolerances.REDUCTION)
                        .check("x[1,8,16,16] w[8,8,3,3] pad 0,0,1,1 stride 2",
                                c -> conv(c, new int[]{1, 8, 16, 16}, new int[]{8, 8, 3, 3}, new Conv2dSpec(2, 0, 0, 1, 1), true, DType.F32))
                        .check("odd sizes x[2,4,15,13] pad 0,0,1,1 stride 2",
                                c -> conv(c, new int[]{2, 4, 15, 13}, new int[]{4, 4, 3, 3}, new Conv2dSpec(2, 0, 0, 1, 1), true, DType.F32))
                        .build(),
                Rule.builder("conv2d_half_weights_accumulate_in_fp32", "conv2d")
                        .description("F16 weights and bias are widened exactly and summed in fp32.")
                        .requires(IMAGE_OPS, F16_WEIGHTS).tolerance(Tolerances.REDUCTION)
                        .check("x[1,16,8,8] w f16[16,16,3,3] + bias f16",
                                c -> conv(c, new int[]{1, 16, 8, 8}, new int[]{16, 16, 3, 3}, Conv2dSpec.same(1), true, DType.F16))
                        .build(),

                Rule.builder("resizeNearest_uses_the_pytorch_fp32_scale_rule", "resizeNearest")
                        .description("source index min(floor(i * (in / (float) out)), in - 1) with an fp32 scale and"
                                + " product, for rows and columns.")
                        .requires(IMAGE_OPS).tolerance(Tolerances.EXACT)
                        .check("160x160 -> 480x480 (decoded image to output size)", c -> resize(c, new int[]{1, 3, 160, 160}, 480, 480))
                        .check("doubling 20x20 -> 40x40", c -> resize(c, new int[]{1, 2, 20, 20}, 40, 40))
                        .check("shrinking 7x7 -> 3x3", c -> resize(c, new int[]{2, 1, 7, 7}, 3, 3))
                        .check("5x7 -> 9x4", c -> resize(c, new int[]{1, 2, 5, 7}, 9, 4))
                        .build(),

                Rule.builder("avgPool2x2_averages_each_2x2_block", "avgPool2x2")
                        .description("the mean of each non-overlapping 2x2 block.")
                        .requires(IMAGE_OPS).tolerance(Tolerances.SHORT_SUM)
                        .check("x[2,3,8,6]", c -> pool(c, new int[]{2, 3, 8, 6}))
                        .check("x[1,16,64,64]", c -> pool(c, new int[]{1, 16, 64, 64}))
                        .build());
    }

    private static List<ComparisonResult> conv(CaseContext c, int[] xShape, int[] wShape, Conv2dSpec spec,
                                               boolean bias, DType weightType) {
        int fanIn = wShape[1] * wShape[2] * wShape[3];
        HostTensor w = c.normal(1 / Math.sqrt(fanIn), wShape).as(weightType);
        HostTensor b = bias ? c.normal(0.5, wShape[0]).as(weightType) : null;
        return c.compare(KernelOp.single((k, s, in) -> k.conv2d(s, in[0], in[1], in[2], spec)), c.normal(1, xShape), w, b);
    }

    private static List<ComparisonResult> resize(CaseContext c, int[] shape, int outH, int outW) {
        return c.compare(KernelOp.single((k, s, in) -> k.resizeNearest(s, in[0], outH, outW)), c.normal(1, shape));
    }

    private static List<ComparisonResult> pool(CaseContext c, int[] shape) {
        return c.compare(KernelOp.single((k, s, in) -> k.avgPool2x2(s, in[0])), c.normal(1, shape));
    }
}
