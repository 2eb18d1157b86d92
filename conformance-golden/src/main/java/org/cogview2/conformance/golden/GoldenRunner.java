package org.cogview2.conformance.golden;

import org.cogview2.spi.Backend;

import java.io.IOException;
import java.io.PrintWriter;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.function.Predicate;
import java.util.stream.Stream;

/**
 * Runs every golden case folder under a directory on a backend: one line per case (name, kind, worst error against
 * its tolerance, PASS/FAIL), then {@code N passed, N failed}. A case whose kind is not implemented counts as failed
 * with {@code unsupported kind}.
 */
public final class GoldenRunner {

    private final Map<String, GoldenKind> kinds;

    public GoldenRunner(Map<String, GoldenKind> kinds) {
        this.kinds = Map.copyOf(kinds);
    }

    /** The runner with every kind this SDK implements. */
    public static GoldenRunner standard() {
        return new GoldenRunner(GoldenKinds.all());
    }

    /** The summary of a run. */
    public record Summary(List<CaseOutcome> outcomes) {
        public long passed() {
            return outcomes.stream().filter(CaseOutcome::passed).count();
        }

        public long failed() {
            return outcomes.size() - passed();
        }

        public String line() {
            return passed() + " passed, " + failed() + " failed";
        }
    }

    /** Runs every case under {@code dir} whose name {@code filter} accepts, printing as it goes. */
    public Summary run(Path dir, Backend backend, PrintWriter out, Predicate<String> filter) {
        List<Path> cases = cases(dir);
        // Model paths in case.json are relative to the golden folder: the parent when a single case is given.
        Path root = GoldenCase.isCase(dir) ? dir.toAbsolutePath().getParent() : dir;
        List<CaseOutcome> outcomes = new ArrayList<>();
        try (GoldenContext context = new GoldenContext(backend)) {
            for (Path caseDir : cases) {
                GoldenCase golden = GoldenCase.read(caseDir, root);
                if (!filter.test(golden.name())) {
                    continue;
                }
                CaseOutcome outcome = run(golden, context);
                outcomes.add(outcome);
                out.println(outcome.line());
                out.flush();
            }
        }
        Summary summary = new Summary(outcomes);
        out.println(summary.line());
        out.flush();
        return summary;
    }

    public Summary run(Path dir, Backend backend, PrintWriter out) {
        return run(dir, backend, out, name -> true);
    }

    /** Runs one case; never throws for a problem of the case itself. */
    public CaseOutcome run(GoldenCase golden, GoldenContext context) {
        GoldenKind kind = kinds.get(golden.kind());
        if (kind == null) {
            return new CaseOutcome(golden.name(), golden.kind(), List.of(), "unsupported kind");
        }
        try {
            return new CaseOutcome(golden.name(), golden.kind(), kind.run(golden, context), null);
        } catch (Exception | AssertionError e) {
            String message = e.getMessage() == null ? e.getClass().getSimpleName() : e.getClass().getSimpleName() + ": " + e.getMessage();
            return new CaseOutcome(golden.name(), golden.kind(), List.of(), "error: " + message);
        }
    }

    /** Case folders (holding {@code case.json}) directly under {@code dir}, by name. */
    public static List<Path> cases(Path dir) {
        if (GoldenCase.isCase(dir)) {
            return List.of(dir);
        }
        try (Stream<Path> entries = Files.list(dir)) {
            return entries.filter(Files::isDirectory).filter(GoldenCase::isCase).sorted().toList();
        } catch (IOException e) {
            throw new UncheckedIOException("cannot list golden cases in " + dir + ": " + e.getMessage(), e);
        }
    }
}
