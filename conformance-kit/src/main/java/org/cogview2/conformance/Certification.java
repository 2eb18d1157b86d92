package org.cogview2.conformance;

import org.cogview2.spi.Backend;
import org.cogview2.spi.Backends;

import java.io.PrintStream;
import java.nio.file.Path;
import java.nio.file.Paths;

/**
 * Programmatic entry point of the kit (the command line calls it): certifies a backend against the reference
 * backend, writes the report and prints its summary.
 */
public final class Certification {

    private Certification() {
    }

    /** The default report folder: {@code target/conformance/<backend name>}. */
    public static Path defaultReportDirectory(String backendName) {
        return Paths.get("target", "conformance", backendName);
    }

    /** Runs the standard suite on {@code backend}, writes the report into {@code reportDir} and returns it. */
    public static CertificationReport run(Backend backend, Path reportDir) {
        return run(backend, reportDir, System.out);
    }

    /** As {@link #run(Backend, Path)}, printing the summary to {@code out} (null prints nothing). */
    public static CertificationReport run(Backend backend, Path reportDir, PrintStream out) {
        return run(ConformanceSuite.standard(), backend, reportDir, out);
    }

    /** Runs {@code suite} (for example {@link ConformanceSuite#only} one rule) on {@code backend}; as above. */
    public static CertificationReport run(ConformanceSuite suite, Backend backend, Path reportDir, PrintStream out) {
        CertificationReport report = suite.run(backend);
        report.write(reportDir);
        if (out != null) {
            out.print(report.summary());
            out.println("Report written to " + reportDir.toAbsolutePath());
        }
        return report;
    }

    /**
     * {@code java ... org.cogview2.conformance.Certification [backend-name [report-dir]]}: certifies the backend
     * found by {@link Backends} (the named one, else the one of {@code -Dcogview2.backend}, else the best available)
     * and exits with status 0 if it passes, 1 if it fails.
     */
    public static void main(String[] args) {
        String name = args.length > 0 ? args[0] : null;
        boolean passed;
        try (Backend backend = Backends.discover().select(name)) {
            Path dir = args.length > 1 ? Paths.get(args[1]) : defaultReportDirectory(backend.name());
            passed = run(backend, dir).passed();
        }
        System.exit(passed ? 0 : 1);
    }
}
