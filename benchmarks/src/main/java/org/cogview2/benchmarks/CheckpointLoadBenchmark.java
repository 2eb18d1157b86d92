package org.cogview2.benchmarks;

import org.cogview2.checkpoint.StoredTensor;
import org.cogview2.checkpoint.TorchCheckpoint;
import org.cogview2.checkpoint.TorchCheckpointWriter;
import org.cogview2.checkpoint.TorchCheckpointWriter.Tensor;
import org.cogview2.spi.DType;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.lang.management.ManagementFactory;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * Measures what opening a multi-gigabyte checkpoint costs. It writes a synthetic fp16 SAT-style checkpoint
 * ({@code {'module': state_dict}}, hidden size 4096, a 150 016-row embedding, as many layers as the requested size
 * allows, at least one: about 1.5 GiB) with {@link TorchCheckpointWriter} into a temporary folder, then starts
 * fresh JVMs: one that only starts (the baseline), one that opens a tiny checkpoint the same way (class loading and
 * JIT without size), and one per size that opens the checkpoint, reads its state dict and touches one small
 * tensor. Each
 * prints its peak resident set ({@code VmHWM} from {@code /proc/self/status}), heap in use and elapsed time; the
 * parent prints them side by side with the ratio. The checkpoint is deleted at the end.
 *
 * <pre>
 * mvn -q -pl benchmarks -am package -DskipTests
 * java -jar benchmarks/target/cogview2-benchmarks.jar [--gb 3] [--dir /some/tmp] [--keep]
 * </pre>
 * {@code --gb} takes a comma-separated list (e.g. {@code 0.5,3,5}) to show the cost does not grow with size;
 * sizes above 4 GiB also exercise the ZIP64 records.
 */
public final class CheckpointLoadBenchmark {

    private static final int HIDDEN = 4096;
    private static final int VOCAB = 150_016;
    private static final int MAX_LENGTH = 1024;
    private static final String SMALL_TENSOR = "transformer.final_layernorm.weight";

    private CheckpointLoadBenchmark() {
    }

    public static void main(String[] args) throws Exception {
        List<Double> sizes = List.of(3.0);
        Path parent = Paths.get(System.getProperty("java.io.tmpdir"));
        boolean keep = false;
        for (int i = 0; i < args.length; i++) {
            switch (args[i]) {
                case "--gb" -> sizes = java.util.Arrays.stream(args[++i].split(",")).map(Double::parseDouble).toList();
                case "--dir" -> parent = Paths.get(args[++i]);
                case "--keep" -> keep = true;
                default -> throw new IllegalArgumentException("usage: [--gb 3[,5...]] [--dir DIR] [--keep]; got " + args[i]);
            }
        }
        Path dir = Files.createTempDirectory(parent, "cogview2-bench-");
        Runtime.getRuntime().addShutdownHook(new Thread(() -> deleteQuietly(dir)));
        try {
            Map<String, String> baseline = runProbe("baseline");
            System.out.printf(Locale.ROOT, "%nJVM %s, %d CPUs%n", System.getProperty("java.vm.version"),
                    Runtime.getRuntime().availableProcessors());
            System.out.printf(Locale.ROOT, "baseline (JVM start only):     peak RSS %7.1f MiB, heap used %6.1f MiB%n",
                    mib(baseline, "vmhwm"), mib(baseline, "heap"));
            // Same code path on a tiny checkpoint: what is left is class loading and JIT, not checkpoint size.
            Path tinyFile = dir.resolve("tiny").resolve("mp_rank_00_model_states.pt");
            Files.createDirectories(tinyFile.getParent());
            Map<String, Object> tinySd = new LinkedHashMap<>();
            tinySd.put(SMALL_TENSOR, random(new int[]{1}, HIDDEN));
            TorchCheckpointWriter.saveStateDict(tinyFile, tinySd);
            Map<String, String> tiny = runProbe("load", tinyFile.toString());
            System.out.printf(Locale.ROOT, "tiny checkpoint (%d bytes):     peak RSS %7.1f MiB, heap used %6.1f MiB,"
                            + " total %.1f ms%n", Files.size(tinyFile), mib(tiny, "vmhwm"), mib(tiny, "heap"),
                    ms(tiny, "total"));
            for (double gb : sizes) {
                Path file = dir.resolve("gb" + gb).resolve("mp_rank_00_model_states.pt");
                Files.createDirectories(file.getParent());
                long t0 = System.nanoTime();
                int layers = write(file, (long) (gb * (1L << 30)));
                double writeS = (System.nanoTime() - t0) / 1e9;
                long size = Files.size(file);
                System.out.printf(Locale.ROOT, "%nwrote %s: %.2f GiB (%d layers, hidden %d, fp16) in %.1f s%n",
                        file, size / (double) (1L << 30), layers, HIDDEN, writeS);
                Map<String, String> load = runProbe("load", file.toString());
                System.out.printf(Locale.ROOT, "open + state dict + 1 tensor:  peak RSS %7.1f MiB, heap used %6.1f MiB,"
                                + " open %.1f ms, state dict %.2f ms, touch %.2f ms, total %.1f ms%n",
                        mib(load, "vmhwm"), mib(load, "heap"), ms(load, "open"), ms(load, "statedict"),
                        ms(load, "touch"), ms(load, "total"));
                System.out.printf(Locale.ROOT, "  %s tensors, %.2f GiB of tensor data mapped; %s = %s (sum)%n",
                        load.get("tensors"), Long.parseLong(load.get("tensorbytes")) / (double) (1L << 30),
                        SMALL_TENSOR, load.get("sum"));
                System.out.printf(Locale.ROOT, "  versus the tiny checkpoint: peak RSS %+.1f MiB, heap %+.1f MiB, time %+.1f ms%n",
                        mib(load, "vmhwm") - mib(tiny, "vmhwm"), mib(load, "heap") - mib(tiny, "heap"),
                        ms(load, "total") - ms(tiny, "total"));
                System.out.printf(Locale.ROOT, "  ratio to baseline: peak RSS x%.3f (+%.1f MiB), heap x%.2f (+%.1f MiB);"
                                + " checkpoint / RSS increase = %.0fx%n",
                        mib(load, "vmhwm") / mib(baseline, "vmhwm"), mib(load, "vmhwm") - mib(baseline, "vmhwm"),
                        mib(load, "heap") / mib(baseline, "heap"), mib(load, "heap") - mib(baseline, "heap"),
                        size / Math.max(1.0, Long.parseLong(load.get("vmhwm")) - Long.parseLong(baseline.get("vmhwm"))));
                if (!keep) {
                    Files.delete(file);
                    Files.delete(file.getParent());
                }
            }
        } finally {
            if (!keep) {
                deleteQuietly(dir);
            } else {
                System.out.println("kept " + dir);
            }
        }
    }

    private static double mib(Map<String, String> r, String key) {
        return Long.parseLong(r.get(key)) / (1024.0 * 1024.0);
    }

    private static double ms(Map<String, String> r, String key) {
        return Long.parseLong(r.get(key)) / 1e6;
    }

    /** Runs {@link Probe} in a fresh JVM with the same class path and returns its RESULT fields. */
    private static Map<String, String> runProbe(String... args) throws IOException, InterruptedException {
        List<String> cmd = new ArrayList<>();
        cmd.add(Paths.get(System.getProperty("java.home"), "bin", "java").toString());
        cmd.add("-cp");
        cmd.add(System.getProperty("java.class.path"));
        cmd.add(Probe.class.getName());
        cmd.addAll(List.of(args));
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
        Map<String, String> result = new LinkedHashMap<>();
        try (BufferedReader r = new BufferedReader(new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8))) {
            String line;
            while ((line = r.readLine()) != null) {
                if (line.startsWith("RESULT ")) {
                    for (String kv : line.substring(7).split(" ")) {
                        int eq = kv.indexOf('=');
                        result.put(kv.substring(0, eq), kv.substring(eq + 1));
                    }
                } else {
                    System.out.println("  [probe] " + line);
                }
            }
        }
        if (p.waitFor() != 0 || result.isEmpty()) {
            throw new IllegalStateException("probe " + String.join(" ", args) + " failed with exit code " + p.exitValue());
        }
        return result;
    }

    /** Writes an fp16 SAT-style state dict of about {@code targetBytes}; returns the number of layers. */
    static int write(Path file, long targetBytes) {
        long h = HIDDEN;
        long embeddings = (VOCAB + MAX_LENGTH) * h * 2;
        long perLayer = (12 * h * h + 13 * h) * 2;
        int layers = (int) Math.max(1, Math.round((targetBytes - embeddings) / (double) perLayer));
        Map<String, Object> sd = new LinkedHashMap<>();
        int[] seed = {1};
        sd.put("transformer.word_embeddings.weight", random(seed, VOCAB, HIDDEN));
        sd.put("transformer.position_embeddings.weight", random(seed, MAX_LENGTH, HIDDEN));
        for (int l = 0; l < layers; l++) {
            String p = "transformer.layers." + l + ".";
            for (String ln : List.of("input_layernorm", "third_layernorm", "post_attention_layernorm", "fourth_layernorm")) {
                sd.put(p + ln + ".weight", random(seed, HIDDEN));
                sd.put(p + ln + ".bias", random(seed, HIDDEN));
            }
            sd.put(p + "attention.query_key_value.weight", random(seed, 3 * HIDDEN, HIDDEN));
            sd.put(p + "attention.query_key_value.bias", random(seed, 3 * HIDDEN));
            sd.put(p + "attention.dense.weight", random(seed, HIDDEN, HIDDEN));
            sd.put(p + "attention.dense.bias", random(seed, HIDDEN));
            sd.put(p + "mlp.dense_h_to_4h.weight", random(seed, 4 * HIDDEN, HIDDEN));
            sd.put(p + "mlp.dense_h_to_4h.bias", random(seed, 4 * HIDDEN));
            sd.put(p + "mlp.dense_4h_to_h.weight", random(seed, HIDDEN, 4 * HIDDEN));
            sd.put(p + "mlp.dense_4h_to_h.bias", random(seed, HIDDEN));
        }
        sd.put("transformer.final_layernorm.weight", random(seed, HIDDEN));
        sd.put("transformer.final_layernorm.bias", random(seed, HIDDEN));
        TorchCheckpointWriter.saveStateDict(file, sd);
        return layers;
    }

    /** Pseudo-random fp16 values of magnitude 1/8 to 2, generated chunk by chunk while writing (hash per element). */
    private static Tensor random(int[] seed, int... shape) {
        int s = seed[0]++;
        ValueLayout.OfShort f16 = ValueLayout.JAVA_SHORT_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);
        return Tensor.generated(DType.F16, shape, (first, chunk) -> {
            long n = chunk.byteSize() / 2;
            for (long i = 0; i < n; i++) {
                long x = (first + i) * 0x9E3779B97F4A7C15L + s;
                x ^= x >>> 31;
                x *= 0xBF58476D1CE4E5B9L;
                x ^= x >>> 29;
                // random sign, exponent 12..15 (1/8 to 2), random mantissa
                short bits = (short) (((x >>> 40) & 0x8000) | (((x >>> 20) & 0x3) + 12) << 10 | (x & 0x3FF));
                chunk.setAtIndex(f16, i, bits);
            }
        });
    }

    private static void deleteQuietly(Path dir) {
        if (!Files.exists(dir)) {
            return;
        }
        try (var s = Files.walk(dir)) {
            for (Path p : s.sorted(java.util.Comparator.reverseOrder()).toList()) {
                Files.deleteIfExists(p);
            }
        } catch (IOException e) {
            System.err.println("could not delete " + dir + ": " + e.getMessage());
        }
    }

    /** What runs in the fresh JVMs: {@code baseline} or {@code load <file>}; prints one RESULT line. */
    public static final class Probe {
        private Probe() {
        }

        public static void main(String[] args) throws IOException {
            long start = System.nanoTime();
            Map<String, Object> r = new LinkedHashMap<>();
            if (args[0].equals("load")) {
                long t0 = System.nanoTime();
                try (TorchCheckpoint c = TorchCheckpoint.open(Paths.get(args[1]))) {
                    long t1 = System.nanoTime();
                    Map<String, StoredTensor> sd = c.stateDict();
                    long t2 = System.nanoTime();
                    float sum = 0;
                    for (float v : sd.get(SMALL_TENSOR).toFloats()) {
                        sum += v;
                    }
                    long t3 = System.nanoTime();
                    long bytes = 0;
                    for (StoredTensor t : sd.values()) {
                        bytes += t.byteSize();
                    }
                    MemorySegment data = sd.get(SMALL_TENSOR).data();
                    r.put("open", t1 - t0);
                    r.put("statedict", t2 - t1);
                    r.put("touch", t3 - t2);
                    r.put("total", t3 - t0);
                    r.put("tensors", sd.size());
                    r.put("tensorbytes", bytes);
                    r.put("sum", String.format(Locale.ROOT, "%.4f", sum));
                    r.put("aligned", data.address() % 64 == 0);
                    measure(r);
                }
            } else {
                measure(r);
            }
            r.put("jvm", System.nanoTime() - start);
            StringBuilder sb = new StringBuilder("RESULT");
            r.forEach((k, v) -> sb.append(' ').append(k).append('=').append(v));
            System.out.println(sb);
        }

        private static void measure(Map<String, Object> r) throws IOException {
            Runtime rt = Runtime.getRuntime();
            r.put("heap", rt.totalMemory() - rt.freeMemory());
            r.put("heapcommitted", rt.totalMemory());
            for (String line : Files.readAllLines(Paths.get("/proc/self/status"))) {
                if (line.startsWith("VmHWM:") || line.startsWith("VmRSS:")) {
                    String[] parts = line.split("\\s+");
                    r.put(parts[0].substring(0, parts[0].length() - 1).toLowerCase(Locale.ROOT),
                            Long.parseLong(parts[1]) * 1024);
                }
            }
            r.put("uptime", ManagementFactory.getRuntimeMXBean().getUptime());
        }
    }
}
