package org.cogview2.conformance;

import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The per-kernel tolerances of the kit (documented in the module README). A value passes if it is within the ULP
 * bound or the abs/rel bound. Inputs are scaled so that outputs are of order 1 (weights with standard deviation
 * {@code 1/sqrt(fan-in)}), so the bounds allow any fp32 summation order and fused multiply-adds, but not fp16
 * accumulation or TF32 products (errors of order 1e-3).
 */
public final class Tolerances {

    private Tolerances() {
    }

    /** Copies, integer results, single IEEE operations ({@code add}, {@code scale}) and rounding casts. */
    public static final Tolerance EXACT = Tolerance.EXACT;
    /** Long fp32 reductions: dot products, convolutions, attention, normalisation statistics. */
    public static final Tolerance REDUCTION = Tolerance.of(64, 1e-5, 1e-5);
    /** Element-wise transcendental functions (tanh, exp) and softmax. */
    public static final Tolerance TRANSCENDENTAL = Tolerance.of(16, 1e-6, 1e-5);
    /** Log-probabilities (values far from 0, where abs error matters). */
    public static final Tolerance LOG_PROBABILITY = Tolerance.of(16, 1e-5, 1e-5);
    /** Four-term sums. */
    public static final Tolerance SHORT_SUM = Tolerance.of(2, 1e-6, 0);
    /** The golden cases' own bound for the local-attention functions. */
    public static final Tolerance GOLDEN_LOCAL_ATTENTION = Tolerance.absRel(1e-5, 1e-5);

    private static final Map<String, Tolerance> BY_KERNEL = new LinkedHashMap<>();

    static {
        BY_KERNEL.put("tensors", EXACT);
        BY_KERNEL.put("linear", REDUCTION);
        BY_KERNEL.put("matmul", REDUCTION);
        BY_KERNEL.put("add", EXACT);
        BY_KERNEL.put("scale", EXACT);
        BY_KERNEL.put("cast", EXACT);
        BY_KERNEL.put("layerNorm", REDUCTION);
        BY_KERNEL.put("groupNorm", REDUCTION);
        BY_KERNEL.put("gelu", TRANSCENDENTAL);
        BY_KERNEL.put("silu", TRANSCENDENTAL);
        BY_KERNEL.put("softmax", TRANSCENDENTAL);
        BY_KERNEL.put("logSoftmaxGather", LOG_PROBABILITY);
        BY_KERNEL.put("topK", EXACT);
        BY_KERNEL.put("sampleClusters", EXACT);
        BY_KERNEL.put("sampleTopK", EXACT);
        BY_KERNEL.put("attention", REDUCTION);
        BY_KERNEL.put("gridAttention", REDUCTION);
        BY_KERNEL.put("localSimilar", REDUCTION);
        BY_KERNEL.put("localWeighting", REDUCTION);
        BY_KERNEL.put("embedding", EXACT);
        BY_KERNEL.put("nearestCode", EXACT);
        BY_KERNEL.put("conv2d", REDUCTION);
        BY_KERNEL.put("resizeNearest", EXACT);
        BY_KERNEL.put("avgPool2x2", SHORT_SUM);
        BY_KERNEL.put("permute", EXACT);
        BY_KERNEL.put("concat", EXACT);
        BY_KERNEL.put("slice", EXACT);
        BY_KERNEL.put("copyInto", EXACT);
    }

    /** The tolerance of a kernel's rules, or null for an unknown kernel. */
    public static Tolerance forKernel(String kernel) {
        return BY_KERNEL.get(kernel);
    }

    /** Every kernel in the order of the report, with its tolerance. */
    public static Map<String, Tolerance> all() {
        return Map.copyOf(BY_KERNEL);
    }

    /** Kernel names in report order. */
    public static java.util.List<String> kernelOrder() {
        return java.util.List.copyOf(BY_KERNEL.keySet());
    }
}
