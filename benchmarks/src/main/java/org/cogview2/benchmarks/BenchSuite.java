package org.cogview2.benchmarks;

import org.cogview2.benchmarks.StageBenchmarks.Size;

import java.util.ArrayList;
import java.util.List;
import java.util.Set;

/**
 * The measurements {@code cogview2 bench} runs, by id. The GEMM shapes are CogLM's at the released size (hidden 3072,
 * fused QKV 9216): a one-row and an eight-row decode step with the fp16 weights as released, a 2048³ square, a
 * 512-row prefill and a 4096-row super-resolution pass. Whole stages run on random-weight models of the given sizes.
 */
public final class BenchSuite {

    /**
     * Every id, in the order they run; {@link #DEFAULT} is what runs without {@code --only}, {@link #QUICK} the subset
     * {@code --quick} runs. The {@code *-host-draws} ids sample the super-resolution cells on the host from read-back
     * logits, as the stages did before the backends sampled: run them beside {@code dsr-pass} and {@code itersr} to see
     * what sampling on the backend saves, in one run (they run first, after an untimed warm-up pass, so that both are
     * measured with the JIT warm).
     */
    public static final List<String> ALL = List.of("gemm-fp32-2048", "gemm-fp16w-decode", "gemm-fp16w-decode8",
            "gemm-fp16w-prefill", "gemm-fp16w-sr", "coglm-stage1", "coglm-stage1-batch8",
            "dsr-pass-host-draws", "dsr-pass", "itersr-host-draws", "itersr", "ar-3600", "vqvae-decode");
    public static final List<String> DEFAULT = ALL.stream().filter(id -> !id.endsWith("-host-draws")).toList();
    /** What {@code --size released} runs: the stages (at that size a GEMM case says nothing the stages do not). */
    public static final Set<String> RELEASED_SIZE = Set.of("coglm-stage1", "coglm-stage1-batch8", "dsr-pass", "itersr",
            "vqvae-decode");

    public static final Set<String> QUICK = Set.of("gemm-fp32-2048", "gemm-fp16w-decode", "coglm-stage1", "dsr-pass",
            "itersr", "vqvae-decode");

    private BenchSuite() {
    }

    /** The cases among {@code ids} (in {@link #ALL} order) for the given model sizes. */
    public static List<BenchCase> cases(Set<String> ids, Size coglm, Size sr, int decodeSide) {
        for (String id : ids) {
            if (!ALL.contains(id)) {
                throw new IllegalArgumentException("unknown benchmark '" + id + "'; known: " + String.join(", ", ALL));
            }
        }
        List<BenchCase> out = new ArrayList<>();
        for (String id : ALL) {
            if (ids.contains(id)) {
                out.add(of(id, coglm, sr, decodeSide));
            }
        }
        return out;
    }

    private static BenchCase of(String id, Size coglm, Size sr, int decodeSide) {
        return switch (id) {
            case "gemm-fp32-2048" -> gemm(id, 2048, 2048, 2048, false);
            case "gemm-fp16w-decode" -> gemm(id, 1, 9216, 3072, true);
            case "gemm-fp16w-decode8" -> gemm(id, 8, 9216, 3072, true);
            case "gemm-fp16w-prefill" -> gemm(id, 512, 9216, 3072, true);
            case "gemm-fp16w-sr" -> gemm(id, 4096, 3072, 3072, true);
            case "coglm-stage1" -> new BenchCase(id, "stage 1 CogLM, batch 1 (" + coglm + ")", true,
                    b -> StageBenchmarks.coglm(b, coglm, 1), e -> e.coglm(coglm, 1));
            case "coglm-stage1-batch8" -> new BenchCase(id, "stage 1 CogLM, batch 8 (" + coglm + ")", true,
                    b -> StageBenchmarks.coglm(b, coglm, 8), e -> e.coglm(coglm, 8));
            case "dsr-pass" -> new BenchCase(id, "stage 2 direct SR pass (" + sr + ")", false,
                    b -> StageBenchmarks.dsr(b, sr), e -> e.dsr(sr));
            case "itersr" -> new BenchCase(id, "stage 3 iterative SR, 6 LoPAR passes (" + sr + ")", false,
                    b -> StageBenchmarks.iterativeSr(b, sr), e -> e.iterativeSr(sr));
            case "dsr-pass-host-draws" -> new BenchCase(id, "stage 2 DSR, cells sampled on the host (" + sr + ")", false,
                    b -> StageBenchmarks.dsr(b, sr, true), e -> e.dsr(sr));
            case "itersr-host-draws" -> new BenchCase(id, "stage 3 LoPAR, cells sampled on the host (" + sr + ")", false,
                    b -> StageBenchmarks.iterativeSr(b, sr, true), e -> e.iterativeSr(sr));
            case "ar-3600" -> new BenchCase(id, "3600 tokens autoregressively, what LoPAR replaces (" + sr + ")", false,
                    b -> StageBenchmarks.autoregressive3600(b, sr), null);
            case "vqvae-decode" -> new BenchCase(id, "VQ-VAE decode " + decodeSide + "x" + decodeSide + " -> "
                    + 8 * decodeSide + "x" + 8 * decodeSide + " (released width)", false,
                    b -> StageBenchmarks.decode(b, decodeSide), e -> e.decode(decodeSide));
            default -> throw new IllegalArgumentException(id);
        };
    }

    private static BenchCase gemm(String id, int m, int n, int k, boolean halfWeights) {
        return new BenchCase(id, "linear " + m + "x" + n + "x" + k + (halfWeights ? ", fp16 weights" : ", fp32"), true,
                b -> StageBenchmarks.linear(b, m, n, k, halfWeights), e -> e.linear(m, n, k, halfWeights));
    }
}
