package org.cogview2.cli;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import org.cogview2.benchmarks.BaselineEngine;
import org.cogview2.benchmarks.BenchCase;
import org.cogview2.benchmarks.BenchSuite;
import org.cogview2.benchmarks.ResidentMemory;
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
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.OptionalLong;
import java.util.ServiceLoader;
import java.util.Set;
import java.util.function.Supplier;

/**
 * {@code cogview2 bench}: GEMM and whole-stage measurements on random-weight models, on a backend and on a baseline in
 * the same run, with the ratio (above 1: ours is faster) and each side's peak resident memory during the measurement.
 * The baseline is a second backend or a {@link BaselineEngine} (libtorch through DJL, when its module is on the class
 * path). Not a test: numbers depend on the machine.
 */
@Command(name = "bench", description = "Time GEMM and the stages on random-weight models against a baseline measured in the same run.")
final class BenchCommand implements Runnable {

    private static final ObjectMapper JSON = new ObjectMapper();

    @Option(names = "--backend", paramLabel = "NAME", description = "Backend to measure (default: the best available).")
    String backend;

    @Option(names = "--baseline", paramLabel = "NAME",
            description = "What to compare with: a backend name, a baseline engine (libtorch, when built), or none "
                    + "(default: libtorch when present, else cpu-reference).")
    String baseline;

    @Option(names = "--only", split = ",", paramLabel = "ID", description = "Measurements to run (default: all). Ids: "
            + "gemm-fp32-2048, gemm-fp16w-decode, gemm-fp16w-decode8, gemm-fp16w-prefill, gemm-fp16w-sr, coglm-stage1, "
            + "coglm-stage1-batch8, dsr-pass, itersr, ar-3600, vqvae-decode; and dsr-pass-host-draws, itersr-host-draws (the"
            + " super-resolution cells sampled on the host, as before the backends sampled; not run by default).")
    Set<String> only;

    @Option(names = "--quick", description = "Only the headline measurements, with smaller models and a 40x40 VQ-VAE decode "
            + "(under 3 minutes on 2 cores).")
    boolean quick;

    @Option(names = "--size", paramLabel = "SIZE", description = "released: every transformer at the released width (48 "
            + "layers, hidden 3072, 48 heads: 12 GB of fp16 CogLM weights, 15 GB for direct SR), random weights written to "
            + "a temporary file and memory-mapped as a checkpoint is, one stage's model resident at a time; runs the "
            + "stages (coglm-stage1, coglm-stage1-batch8, dsr-pass, itersr, vqvae-decode) unless --only says otherwise. "
            + "Explicit --layers/--hidden/--heads still win. No baseline unless --baseline names one (libtorch would "
            + "need an fp32 copy of every weight).")
    String size;

    @Option(names = "--json", description = "One JSON object per line: name, unit, ours, baseline, baseline_name, ratio (and context).")
    boolean json;

    @Option(names = "--layers", description = "CogLM size for coglm-* (default: 12, quick: 6).")
    Integer layers;

    @Option(names = "--hidden", description = "(default: 768, quick: 512)")
    Integer hidden;

    @Option(names = "--heads", description = "(default: 12, quick: 8)")
    Integer heads;

    @Option(names = "--sr-layers", description = "Model size for dsr-pass, itersr and ar-3600 (default: 4, quick: 2).")
    Integer srLayers;

    @Option(names = "--sr-hidden", description = "(default: 256, quick: 256)")
    Integer srHidden;

    @Option(names = "--sr-heads", description = "(default: 8, quick: 8)")
    Integer srHeads;

    @Spec
    CommandSpec spec;

    /** One side of a comparison: a backend, or a foreign engine. */
    private interface Side extends AutoCloseable {
        String name();

        /** {@code null} when this side cannot express the measurement. */
        Result run(BenchCase c);

        @Override
        void close();
    }

    @Override
    public void run() {
        PrintWriter out = spec.commandLine().getOut();
        PrintWriter err = spec.commandLine().getErr();
        boolean released = released();
        Size coglm = released ? new Size(or(layers, 48, 48), or(hidden, 3072, 3072), or(heads, 48, 48))
                : new Size(or(layers, 12, 6), or(hidden, 768, 512), or(heads, 12, 8));
        Size sr = released ? new Size(or(srLayers, 48, 48), or(srHidden, 3072, 3072), or(srHeads, 48, 48))
                : new Size(or(srLayers, 4, 2), or(srHidden, 256, 256), or(srHeads, 8, 8));
        Set<String> ids = only != null ? new LinkedHashSet<>(only) : released ? BenchSuite.RELEASED_SIZE
                : quick ? BenchSuite.QUICK : Set.copyOf(BenchSuite.DEFAULT);
        List<BenchCase> cases;
        try {
            cases = BenchSuite.cases(ids, coglm, sr, quick ? 40 : 60);
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException(e.getMessage(), e);
        }
        Backends found = Backends.discover();
        try (Side ours = onBackend(found.select(backend)); Side base = baseline(found, ours.name())) {
            (json ? err : out).println("backend " + ours.name() + ", baseline " + (base == null ? "none" : base.name())
                    + "; CogLM " + coglm + "; SR " + sr + "; weights fp16 random"
                    + (base != null && !(base instanceof BackendSide) ? " (the engine computes in fp32)" : ""));
            if (!json) {
                out.printf(Locale.ROOT, "%-20s %-58s %12s %12s %8s %11s%n", "id", "measurement", "ours", "baseline", "ratio", "+MiB");
            }
            for (BenchCase c : cases) {
                err.println("bench: " + c.id() + " ...");
                err.flush();
                Measured o = measure(() -> ours.run(c));
                Measured b = base == null ? null : measure(() -> base.run(c));
                boolean hasBase = b != null && b.result() != null;
                if (json) {
                    out.println(jsonLine(c, o, hasBase ? b : null, base, ours.name()));
                } else {
                    out.printf(Locale.ROOT, "%-20s %-58s %12s %12s %8s %11s%n", c.id(), c.description(),
                            format(c, o.result()), hasBase ? format(c, b.result()) : "-",
                            hasBase ? String.format(Locale.ROOT, "%.2fx", c.ratio(o.result(), b.result())) : "-",
                            mib(o.added()) + (hasBase ? "/" + mib(b.added()) : ""));
                }
                out.flush();
            }
            if (!json) {
                out.println("ratio > 1: ours faster (ours/baseline for rates, baseline/ours for times); "
                        + "+MiB: what the measurement added to the process's resident set at its peak, ours/baseline");
            }
        }
    }

    /**
     * @param before resident bytes when the measurement started (the JVM, its heap, what earlier ones left mapped)
     * @param peak   peak resident bytes during the measurement
     */
    private record Measured(Result result, OptionalLong before, OptionalLong peak) {
        /** What the measurement added to the resident set at its peak. */
        OptionalLong added() {
            return before.isPresent() && peak.isPresent() ? OptionalLong.of(Math.max(0, peak.getAsLong() - before.getAsLong()))
                    : OptionalLong.empty();
        }
    }

    /** Runs one side with the resident-set peak reset first, so the peak belongs to this measurement. */
    private static Measured measure(Supplier<Result> work) {
        System.gc();
        boolean reset = ResidentMemory.resetPeak();
        OptionalLong before = reset ? ResidentMemory.currentBytes() : OptionalLong.empty();
        Result r = work.get();
        return new Measured(r, before, reset ? ResidentMemory.peakBytes() : OptionalLong.empty());
    }

    private Side baseline(Backends found, String subject) {
        String name = baseline != null ? baseline : size != null ? "none" : null;
        List<BaselineEngine> engines = new ArrayList<>();
        ServiceLoader.load(BaselineEngine.class).forEach(engines::add);
        if (name == null) {
            if (!engines.isEmpty()) {
                return onEngine(engines.getFirst());
            }
            name = subject.equals("cpu-reference") ? "none" : "cpu-reference";
        }
        if (name.equals("none")) {
            return null;
        }
        for (BaselineEngine e : engines) {
            if (e.name().equals(name)) {
                return onEngine(e);
            }
        }
        if (name.equals("libtorch")) {
            throw new IllegalArgumentException("the libtorch baseline is not on the class path: build it with "
                    + "'mvn -pl libtorch -am package -DskipTests' and run './cogview2 bench --libtorch ...'");
        }
        return onBackend(found.select(name));
    }

    private static Side onBackend(Backend backend) {
        return new BackendSide(backend);
    }

    private record BackendSide(Backend backend) implements Side {
        @Override
        public String name() {
            return backend.name();
        }

        @Override
        public Result run(BenchCase c) {
            return c.onBackend().apply(backend);
        }

        @Override
        public void close() {
            backend.close();
        }
    }

    private static Side onEngine(BaselineEngine engine) {
        return new Side() {
            @Override
            public String name() {
                return engine.name();
            }

            @Override
            public Result run(BenchCase c) {
                return c.onEngine() == null ? null : c.onEngine().apply(engine);
            }

            @Override
            public void close() {
                engine.close();
            }
        };
    }

    private static String jsonLine(BenchCase c, Measured o, Measured b, Side base, String ours) {
        ObjectNode line = JSON.createObjectNode();
        line.put("name", c.id());
        line.put("unit", c.unit(o.result()));
        line.put("ours", c.value(o.result()));
        if (b != null) {
            line.put("baseline", c.value(b.result()));
            line.put("baseline_name", base.name());
            line.put("ratio", c.ratio(o.result(), b.result()));
        } else {
            line.putNull("baseline");
            line.putNull("baseline_name");
            line.putNull("ratio");
        }
        line.put("backend", ours);
        line.put("description", c.description());
        line.put("seconds", o.result().seconds());
        line.put("sequential_passes", o.result().sequentialPasses());
        // Process figures: the peak during the measurement, and what the measurement added to the resident set.
        o.peak().ifPresent(p -> line.put("peak_rss_mib", p / (1024.0 * 1024)));
        o.added().ifPresent(p -> line.put("added_rss_mib", p / (1024.0 * 1024)));
        if (b != null) {
            b.peak().ifPresent(p -> line.put("baseline_peak_rss_mib", p / (1024.0 * 1024)));
            b.added().ifPresent(p -> line.put("baseline_added_rss_mib", p / (1024.0 * 1024)));
        }
        return line.toString();
    }

    private static String format(BenchCase c, Result r) {
        return c.higherIsBetter()
                ? String.format(Locale.ROOT, "%.1f %s/s", r.throughput(), r.unit().startsWith("token") ? "tok" : r.unit())
                : String.format(Locale.ROOT, "%.2f s", r.seconds());
    }

    private static String mib(OptionalLong bytes) {
        return bytes.isPresent() ? Long.toString(bytes.getAsLong() >> 20) : "?";
    }

    private boolean released() {
        if (size == null) {
            return false;
        }
        if (!size.equals("released")) {
            throw new IllegalArgumentException("--size: expected 'released', got '" + size + "'");
        }
        if (quick) {
            throw new IllegalArgumentException("--size released and --quick contradict each other: choose one");
        }
        return true;
    }

    private int or(Integer given, int full, int small) {
        return given != null ? given : quick ? small : full;
    }
}
