package org.cogview2.backend.vector.bench;

import org.openjdk.jmh.results.RunResult;
import org.openjdk.jmh.runner.Runner;
import org.openjdk.jmh.runner.RunnerException;
import org.openjdk.jmh.runner.options.ChainedOptionsBuilder;
import org.openjdk.jmh.runner.options.OptionsBuilder;
import org.openjdk.jmh.runner.options.TimeValue;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * Runs {@link GemmBenchmark} for every shape and implementation in one session (JMH, one fork per pair) and prints
 * GFLOP/s with the ratios of cpu-vector to the others, all measured in this run. With {@code --openblas BINARY} it
 * also times the OpenBLAS harness ({@code native/sgemm_openblas.c}) on each shape, in the same run. {@code --quick}
 * (or {@code --quick-impls} for some implementations, e.g. the slow reference) shortens warm-up and measurement;
 * {@code --rounds N} measures every implementation N times, alternating, and keeps the best of each.
 *
 * <pre>
 * java -cp "target/classes:$(cat target/bench.classpath)" org.cogview2.backend.vector.bench.GemmBench \
 *     [--shapes a,b,...] [--impls vector,vector-f16,reference,libtorch] [--threads 2] [--openblas PATH]
 *     [--quick] [--quick-impls reference] [--rounds N]
 * </pre>
 */
public final class GemmBench {

    private GemmBench() {
    }

    public static void main(String[] args) throws RunnerException, IOException, InterruptedException {
        List<String> shapes = GemmShape.all().stream().map(GemmShape::name).toList();
        List<String> impls = List.of("vector", "vector-f16", "reference");
        int threads = 2;
        String openblas = null;
        boolean quick = false;
        List<String> quickImpls = List.of();
        int rounds = 1;
        for (int i = 0; i < args.length; i++) {
            switch (args[i]) {
                case "--shapes" -> shapes = Arrays.asList(args[++i].split(","));
                case "--impls" -> impls = Arrays.asList(args[++i].split(","));
                case "--threads" -> threads = Integer.parseInt(args[++i]);
                case "--openblas" -> openblas = args[++i];
                case "--quick" -> quick = true;
                case "--rounds" -> rounds = Integer.parseInt(args[++i]);
                case "--quick-impls" -> quickImpls = Arrays.asList(args[++i].split(","));
                default -> throw new IllegalArgumentException("unknown argument " + args[i]);
            }
        }
        if (openblas != null && !java.nio.file.Files.isExecutable(java.nio.file.Path.of(openblas))) {
            throw new IllegalArgumentException("OpenBLAS harness " + openblas + " is not an executable file (see README.md)");
        }
        Map<String, Map<String, Double>> gflops = new LinkedHashMap<>();
        for (String shape : shapes) {
            GemmShape s = GemmShape.parse(shape);
            Map<String, Double> row = new LinkedHashMap<>();
            gflops.put(shape, row);
            // Rounds alternate the implementations; each keeps its best round (a shared machine only slows runs down).
            for (int round = 0; round < rounds; round++) {
                for (String impl : impls) {
                    boolean q = quick || quickImpls.contains(impl);
                    ChainedOptionsBuilder o = new OptionsBuilder()
                            .include(GemmBenchmark.class.getName() + ".linear")
                            .param("shape", shape).param("impl", impl).param("threads", Integer.toString(threads))
                            .forks(1)
                            .jvmArgsAppend("--add-modules", "jdk.incubator.vector", "-Xmx12g", "-Dai.djl.offline=true")
                            .warmupIterations(q ? 2 : 4).warmupTime(TimeValue.seconds(1))
                            .measurementIterations(q ? 2 : 3).measurementTime(TimeValue.seconds(q ? 1 : 2))
                            .timeUnit(TimeUnit.MILLISECONDS)
                            .shouldFailOnError(true);
                    RunResult result = new Runner(o.build()).runSingle();
                    double ms = result.getPrimaryResult().getScore();
                    row.merge(impl, s.flops() / (ms * 1e-3) / 1e9, Math::max);
                }
                if (openblas != null) {
                    row.merge("openblas", runOpenBlas(openblas, s, threads, quick ? 2 : 4), Math::max);
                }
            }
        }
        System.out.print(table(gflops, threads));
    }

    private static double runOpenBlas(String binary, GemmShape s, int threads, int seconds)
            throws IOException, InterruptedException {
        ProcessBuilder pb = new ProcessBuilder(binary, Integer.toString(s.m()), Integer.toString(s.n()),
                Integer.toString(s.k()), Integer.toString(seconds)).redirectErrorStream(true);
        pb.environment().put("OPENBLAS_NUM_THREADS", Integer.toString(threads));
        Process p = pb.start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8).strip();
        if (p.waitFor() != 0 || !out.startsWith("GFLOPS ")) {
            throw new IOException("OpenBLAS harness failed on " + s + ": " + out);
        }
        return Double.parseDouble(out.substring("GFLOPS ".length()).strip());
    }

    static String table(Map<String, Map<String, Double>> gflops, int threads) {
        List<String> columns = new ArrayList<>();
        gflops.values().forEach(r -> r.keySet().forEach(c -> {
            if (!columns.contains(c)) {
                columns.add(c);
            }
        }));
        StringBuilder sb = new StringBuilder();
        sb.append(String.format(Locale.ROOT, "%nGEMM y[M,N] = x[M,K] . w[N,K]^T, fp32 activations, %d threads; GFLOP/s "
                + "(vector-f16: fp16 weights)%n", threads));
        sb.append(String.format(Locale.ROOT, "%-26s %6s %6s %6s", "shape", "M", "N", "K"));
        for (String c : columns) {
            sb.append(String.format(Locale.ROOT, " %11s", c));
        }
        for (String c : columns) {
            if (!c.equals("vector")) {
                sb.append(String.format(Locale.ROOT, " %16s", "vector/" + c));
            }
        }
        sb.append('\n');
        for (Map.Entry<String, Map<String, Double>> e : gflops.entrySet()) {
            GemmShape s = GemmShape.parse(e.getKey());
            sb.append(String.format(Locale.ROOT, "%-26s %6d %6d %6d", s.name(), s.m(), s.n(), s.k()));
            for (String c : columns) {
                Double v = e.getValue().get(c);
                sb.append(v == null ? String.format(Locale.ROOT, " %11s", "-") : String.format(Locale.ROOT, " %11.2f", v));
            }
            Double mine = e.getValue().get("vector");
            for (String c : columns) {
                if (!c.equals("vector")) {
                    Double v = e.getValue().get(c);
                    sb.append(mine == null || v == null ? String.format(Locale.ROOT, " %16s", "-")
                            : String.format(Locale.ROOT, " %15.2fx", mine / v));
                }
            }
            sb.append('\n');
        }
        return sb.toString();
    }
}
