package org.cogview2.cli;

import org.cogview2.benchmarks.StageBenchmarks;
import org.cogview2.benchmarks.StageBenchmarks.Result;
import org.cogview2.benchmarks.StageBenchmarks.Size;
import org.cogview2.spi.Backend;
import org.cogview2.spi.Backends;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

import java.io.PrintWriter;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.function.Function;

/**
 * {@code cogview2 bench}: whole-stage timings on random-weight models, on a backend and, with {@code --baseline}, on a
 * second backend in the same run, with the ratio. Not a test: numbers depend on the machine.
 */
@Command(name = "bench", description = "Time the stages on random-weight models (optionally against a baseline backend in the same run).")
final class BenchCommand implements Runnable {

    @Option(names = "--backend", paramLabel = "NAME", description = "Backend to measure (default: the best available).")
    String backend;

    @Option(names = "--baseline", paramLabel = "NAME", description = "Second backend measured in the same run; ratios are baseline time / backend time.")
    String baseline;

    @Option(names = "--only", split = ",", paramLabel = "NAME",
            description = "Benchmarks to run: coglm, dsr, itersr, ar, decode (default: coglm, dsr, itersr, ar).")
    Set<String> only;

    @Option(names = "--layers", defaultValue = "12", description = "CogLM size for the coglm benchmark (default: ${DEFAULT-VALUE}).")
    int layers;

    @Option(names = "--hidden", defaultValue = "768", description = "(default: ${DEFAULT-VALUE})")
    int hidden;

    @Option(names = "--heads", defaultValue = "12", description = "(default: ${DEFAULT-VALUE})")
    int heads;

    @Option(names = "--batch", split = ",", defaultValue = "1,8", description = "Stage-1 batch sizes (default: ${DEFAULT-VALUE}).")
    List<Integer> batches;

    @Option(names = "--sr-layers", defaultValue = "4", description = "Model size for dsr, itersr and ar (default: ${DEFAULT-VALUE}).")
    int srLayers;

    @Option(names = "--sr-hidden", defaultValue = "256", description = "(default: ${DEFAULT-VALUE})")
    int srHidden;

    @Option(names = "--sr-heads", defaultValue = "8", description = "(default: ${DEFAULT-VALUE})")
    int srHeads;

    @Spec
    CommandSpec spec;

    @Override
    public void run() {
        PrintWriter out = spec.commandLine().getOut();
        Set<String> selected = only == null ? Set.of("coglm", "dsr", "itersr", "ar") : only;
        Size coglmSize = new Size(layers, hidden, heads);
        Size srSize = new Size(srLayers, srHidden, srHeads);
        List<Function<Backend, Result>> benches = new ArrayList<>();
        if (selected.contains("coglm")) {
            for (int b : batches) {
                benches.add(be -> StageBenchmarks.coglm(be, coglmSize, b));
            }
        }
        if (selected.contains("dsr")) {
            benches.add(be -> StageBenchmarks.dsr(be, srSize));
        }
        if (selected.contains("itersr")) {
            benches.add(be -> StageBenchmarks.iterativeSr(be, srSize));
        }
        if (selected.contains("ar")) {
            benches.add(be -> StageBenchmarks.autoregressive3600(be, srSize));
        }
        if (selected.contains("decode")) {
            benches.add(StageBenchmarks::decode);
        }
        out.println("CogLM size: " + coglmSize + "; SR/LoPAR size: " + srSize + "; weights fp16, random");
        Backends found = Backends.discover();
        try (Backend subject = found.select(backend); Backend base = baseline == null ? null : found.select(baseline)) {
            out.printf(Locale.ROOT, "%-50s %14s %12s %8s%s%n", "benchmark", "throughput", "seconds", "passes",
                    base == null ? "" : String.format(Locale.ROOT, " %12s %8s", base.name() + " s", "ratio"));
            for (Function<Backend, Result> bench : benches) {
                Result r = bench.apply(subject);
                String line = String.format(Locale.ROOT, "%-50s %10.1f %-3s %12.2f %8d", r.name() + " [" + subject.name() + "]",
                        r.throughput(), r.unit().substring(0, 3) + "/s", r.seconds(), r.sequentialPasses());
                if (base != null) {
                    Result b = bench.apply(base);
                    line += String.format(Locale.ROOT, " %12.2f %7.2fx", b.seconds(), b.seconds() / r.seconds());
                }
                out.println(line);
                out.flush();
            }
        }
    }
}
