package org.cogview2.backend.cuda;

import org.cogview2.conformance.Certification;
import org.cogview2.conformance.CertificationReport;
import org.cogview2.conformance.golden.GoldenCase;
import org.cogview2.conformance.golden.GoldenKinds;
import org.cogview2.conformance.golden.GoldenRunner;
import org.cogview2.spi.DType;
import org.cogview2.spi.PrimitiveKernels;
import org.cogview2.spi.Shape;
import org.cogview2.spi.Tensor;
import org.cogview2.spi.TensorScope;
import org.junit.platform.launcher.Launcher;
import org.junit.platform.launcher.LauncherDiscoveryRequest;
import org.junit.platform.launcher.core.LauncherDiscoveryRequestBuilder;
import org.junit.platform.launcher.core.LauncherFactory;
import org.junit.platform.launcher.listeners.SummaryGeneratingListener;
import org.junit.platform.launcher.listeners.TestExecutionSummary;

import java.io.IOException;
import java.io.PrintWriter;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.function.Consumer;

import static org.junit.platform.engine.discovery.DiscoverySelectors.selectClass;

/**
 * The GPU verification that {@code backend-cuda/gpu-check.sh} runs on a machine with an NVIDIA GPU:
 * <ol>
 *   <li>the conformance kit on the {@code cuda} backend (report in {@code OUT/conformance});</li>
 *   <li>the golden local-attention cases of the official code (from {@code GOLDEN} when given);</li>
 *   <li>the path checks of {@link GpuKernelPathTest} (GEMV, large tiles, long keys, tensor cores, ...);</li>
 *   <li>timings of our GEMMs and of a synthetic CogLM layer (prefill and KV-cache decode step), written to
 *       {@code OUT/java-bench.json} for comparison with PyTorch on the same GPU.</li>
 * </ol>
 * Usage: {@code GpuCheck OUT [GOLDEN]}. Exit status 0 when the kit, the goldens and the path checks pass.
 */
public final class GpuCheck {

    /**
     * With {@code -Dcogview2.gpucheck.emulated=true} the whole check runs on the CPU emulation of the kernels with
     * tiny benchmark shapes: a dry run of this program on a machine without a GPU.
     */
    static final boolean EMULATED = Boolean.getBoolean("cogview2.gpucheck.emulated");

    /** CogLM's shape as far as the checkpoints tell (spec 01 §4.3): hidden 3072, 48 heads of 64, ffn 4h. */
    static final int HIDDEN = EMULATED ? 64 : 3072;
    static final int HEADS = EMULATED ? 4 : 48;
    static final int FFN = 4 * HIDDEN;
    static final int VOCAB_HEAD = EMULATED ? 100 : 20000;
    static final int BATCH = 4;
    static final int PROMPT = EMULATED ? 16 : 464;

    private GpuCheck() {
    }

    public static void main(String[] args) throws IOException {
        Path out = Path.of(args.length > 0 ? args[0] : "target/gpu-check-out");
        Path golden = args.length > 1 ? Path.of(args[1]) : null;
        Files.createDirectories(out);
        boolean ok = true;
        try (CudaBackend backend = newBackend(false)) {
            System.out.println("== device: " + backend.deviceDescription());
            System.out.println("== memory: " + backend.deviceMemory());

            System.out.println("\n== 1. conformance kit on 'cuda'");
            long t0 = System.nanoTime();
            CertificationReport report = Certification.run(backend, out.resolve("conformance"));
            System.out.printf(Locale.ROOT, "kit: %s in %.1f s%n", report.passed() ? "PASS" : "FAIL", secs(t0));
            ok &= report.passed();

            System.out.println("\n== 2. golden local-attention cases");
            if (golden != null && Files.isDirectory(golden)) {
                Set<String> kinds = GoldenKinds.all().keySet();
                List<String> names = new ArrayList<>();
                for (Path dir : GoldenRunner.cases(golden)) {
                    GoldenCase c = GoldenCase.read(dir, golden);
                    if (kinds.contains(c.kind())) {
                        names.add(c.name());
                    }
                }
                GoldenRunner.Summary summary = GoldenRunner.standard().run(golden, backend,
                        new PrintWriter(System.out, true), names::contains);
                ok &= summary.failed() == 0 && summary.passed() > 0;
            } else {
                System.out.println("golden data not given: skipped");
            }
        }

        System.out.println("\n== 3. path checks (GpuKernelPathTest)");
        ok &= runPathChecks();

        System.out.println("\n== 4. benchmark");
        try (CudaBackend simt = newBackend(false); CudaBackend tc = newBackend(true)) {
            List<String> json = new ArrayList<>();
            benchmarkGemms(simt, tc, json);
            benchmarkLayer(simt, "layer_simt", json);
            benchmarkLayer(tc, "layer_tc", json);
            Files.writeString(out.resolve("java-bench.json"), "[\n  " + String.join(",\n  ", json) + "\n]\n");
            System.out.println("wrote " + out.resolve("java-bench.json"));
        }
        System.out.println("\nGPU CHECK " + (ok ? "PASSED" : "FAILED"));
        System.exit(ok ? 0 : 1);
    }

    /** A backend on the GPU (or on the emulation for a dry run, which has no tensor cores). */
    static CudaBackend newBackend(boolean tensorCores) {
        if (EMULATED) {
            return new CudaBackend(EmulatedDevice.get(), CudaOptions.defaults());
        }
        return new CudaBackend(CudaOptions.fromSystemProperties().withTensorCores(tensorCores));
    }

    private static double secs(long start) {
        return (System.nanoTime() - start) / 1e9;
    }

    private static boolean runPathChecks() {
        LauncherDiscoveryRequest request = LauncherDiscoveryRequestBuilder.request()
                .selectors(selectClass(EMULATED ? EmulatedKernelPathTest.class : GpuKernelPathTest.class)).build();
        Launcher launcher = LauncherFactory.create();
        SummaryGeneratingListener listener = new SummaryGeneratingListener();
        launcher.execute(request, listener);
        TestExecutionSummary s = listener.getSummary();
        s.printTo(new PrintWriter(System.out, true));
        s.printFailuresTo(new PrintWriter(System.out, true), 20);
        return s.getTotalFailureCount() == 0 && s.getTestsSucceededCount() > 0;
    }

    // ------------------------------------------------------------------ benchmark

    /** Milliseconds per call of {@code op}, after warm-up, timed over enough calls to take ~0.3 s. */
    static double time(CudaBackend backend, Runnable op) {
        for (int i = 0; i < 3; i++) {
            op.run();
        }
        backend.synchronize();
        long t0 = System.nanoTime();
        op.run();
        backend.synchronize();
        double once = Math.max(1e-6, (System.nanoTime() - t0) / 1e6);
        int reps = (int) Math.max(5, Math.min(200, 300 / once));
        t0 = System.nanoTime();
        for (int i = 0; i < reps; i++) {
            op.run();
        }
        backend.synchronize();
        return (System.nanoTime() - t0) / 1e6 / reps;
    }

    /** Random F16 weights [n, k] (std 1/sqrt(k)) uploaded from native memory. */
    static Tensor halfWeights(TensorScope scope, int n, int k, long seed) {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment seg = arena.allocate(2L * n * k, 2);
            long state = seed;
            float scale = (float) (1 / Math.sqrt(k));
            for (long i = 0; i < (long) n * k; i++) {
                state = state * 6364136223846793005L + 1442695040888963407L;
                float u = ((state >>> 40) / (float) (1 << 24)) - 0.5f;
                seg.setAtIndex(ValueLayout.JAVA_SHORT, i, Float.floatToFloat16(u * 3.46f * scale));
            }
            return scope.upload(seg, DType.F16, Shape.of(n, k));
        }
    }

    static Tensor activations(TensorScope scope, int... shape) {
        float[] v = new float[Math.toIntExact(Shape.of(shape).elementCount())];
        java.util.SplittableRandom r = new java.util.SplittableRandom(1);
        for (int i = 0; i < v.length; i++) {
            v[i] = (float) r.nextGaussian();
        }
        return scope.fromFloats(v, Shape.of(shape));
    }

    /** The (M, N, K) of CogLM's products: decode (4 rows) and prefill (4 x 464 rows), and the image-token head. */
    static int[][] gemmShapes() {
        List<int[]> shapes = new ArrayList<>();
        for (int m : new int[]{BATCH, BATCH * PROMPT}) {
            shapes.add(new int[]{m, 3 * HIDDEN, HIDDEN});
            shapes.add(new int[]{m, HIDDEN, HIDDEN});
            shapes.add(new int[]{m, FFN, HIDDEN});
            shapes.add(new int[]{m, HIDDEN, FFN});
        }
        shapes.add(new int[]{BATCH, VOCAB_HEAD, HIDDEN});
        return shapes.toArray(int[][]::new);
    }

    private static void benchmarkGemms(CudaBackend simt, CudaBackend tc, List<String> json) {
        System.out.printf(Locale.ROOT, "%-22s %12s %12s %10s%n", "linear f16 weights", "simt ms", "tc ms", "simt TF/s");
        for (int[] s : gemmShapes()) {
            int m = s[0];
            int n = s[1];
            int k = s[2];
            double simtMs;
            double tcMs;
            try (TensorScope scope = simt.newScope()) {
                Tensor x = activations(scope, m, k);
                Tensor w = halfWeights(scope, n, k, 11);
                simtMs = timeInto(simt, sc -> simt.kernels().linear(sc, x, w, null));
            }
            try (TensorScope scope = tc.newScope()) {
                Tensor x = activations(scope, m, k);
                Tensor w = halfWeights(scope, n, k, 11);
                tcMs = timeInto(tc, sc -> tc.kernels().linear(sc, x, w, null));
            }
            double tflops = 2.0 * m * n * k / (simtMs * 1e9);
            String name = "gemm_" + m + "x" + n + "x" + k;
            System.out.printf(Locale.ROOT, "%-22s %12.4f %12.4f %10.2f%n", name, simtMs, tcMs, tflops);
            json.add(String.format(Locale.ROOT, "{\"name\": \"%s\", \"m\": %d, \"n\": %d, \"k\": %d, \"simt_ms\": %.5f,"
                    + " \"tc_ms\": %.5f}", name, m, n, k, simtMs, tcMs));
        }
    }

    /** Times {@code op} writing into short-lived scopes (so that outputs are released as in a model loop). */
    private static double timeInto(CudaBackend backend, Consumer<TensorScope> op) {
        return time(backend, () -> {
            try (TensorScope s = backend.newScope()) {
                op.accept(s);
            }
        });
    }

    /**
     * One sandwich-LN transformer layer of CogLM's shape with F16 weights, as the SPI runs it: LN, QKV, attention
     * over a KV cache, dense, LN, residual, LN, MLP with tanh GELU, LN, residual. Prefill of 4 x 464 tokens and a
     * decode step of 4 x 1 token over a cache of 464.
     */
    private static void benchmarkLayer(CudaBackend b, String name, List<String> json) {
        PrimitiveKernels k = PrimitiveKernels.of(b);
        int batch = BATCH;
        int prompt = PROMPT;
        int cap = prompt + 8;
        try (TensorScope w = b.newScope()) {
            Tensor qkv = halfWeights(w, 3 * HIDDEN, HIDDEN, 1);
            Tensor dense = halfWeights(w, HIDDEN, HIDDEN, 2);
            Tensor up = halfWeights(w, FFN, HIDDEN, 3);
            Tensor down = halfWeights(w, HIDDEN, FFN, 4);
            Tensor ones = w.fromFloats(filled(HIDDEN, 1f), Shape.of(HIDDEN));
            Tensor zeros = w.zeros(DType.F32, Shape.of(HIDDEN));
            Tensor kCache = w.zeros(DType.F32, Shape.of(batch, cap, HIDDEN));
            Tensor vCache = w.zeros(DType.F32, Shape.of(batch, cap, HIDDEN));
            double[] ms = new double[2];
            int[] lengths = {prompt, 1};
            for (int phase = 0; phase < 2; phase++) {
                int len = lengths[phase];
                int keyLength = phase == 0 ? prompt : prompt + 1;
                int offset = phase == 0 ? 0 : prompt;
                Tensor x = activations(w, batch, len, HIDDEN);
                ms[phase] = time(b, () -> {
                    try (TensorScope s = b.newScope()) {
                        Tensor a = k.layerNorm(s, x, ones, zeros, 1e-5f);
                        Tensor h3 = k.linear(s, a, qkv, null);
                        Tensor q = k.slice(s, h3, 2, 0, HIDDEN);
                        k.copyInto(kCache, 1, offset, k.slice(s, h3, 2, HIDDEN, HIDDEN));
                        k.copyInto(vCache, 1, offset, k.slice(s, h3, 2, 2 * HIDDEN, HIDDEN));
                        Tensor att = k.attention(s, q, kCache, vCache, HEADS, keyLength, null, null);
                        Tensor o = k.layerNorm(s, k.linear(s, att, dense, null), ones, zeros, 1e-5f);
                        Tensor x1 = k.add(s, x, o);
                        Tensor m = k.layerNorm(s, x1, ones, zeros, 1e-5f);
                        Tensor f = k.linear(s, k.gelu(s, k.linear(s, m, up, null)), down, null);
                        k.add(s, x1, k.layerNorm(s, f, ones, zeros, 1e-5f));
                    }
                });
            }
            System.out.printf(Locale.ROOT, "%-22s prefill %8.3f ms   decode step %8.3f ms   (x48 layers: %.1f / %.1f ms)%n",
                    name, ms[0], ms[1], 48 * ms[0], 48 * ms[1]);
            json.add(String.format(Locale.ROOT, "{\"name\": \"%s_prefill\", \"ms\": %.5f}", name, ms[0]));
            json.add(String.format(Locale.ROOT, "{\"name\": \"%s_decode\", \"ms\": %.5f}", name, ms[1]));
        }
    }

    private static float[] filled(int n, float v) {
        float[] a = new float[n];
        java.util.Arrays.fill(a, v);
        return a;
    }
}
