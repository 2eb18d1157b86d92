package org.cogview2.cli;

import org.cogview2.conformance.Certification;
import org.cogview2.conformance.CertificationReport;
import org.cogview2.spi.Backend;
import org.cogview2.spi.Backends;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

import java.nio.file.Path;
import java.util.concurrent.Callable;

/** {@code cogview2 certify --backend NAME}: the conformance kit against the CPU reference; writes the report. */
@Command(name = "certify", description = "Certify a backend: every kernel against the CPU reference backend; writes a JSON and text report.")
final class CertifyCommand implements Callable<Integer> {

    @Option(names = "--backend", paramLabel = "NAME", description = "Backend to certify (default: the best available).")
    String backend;

    @Option(names = "--report", paramLabel = "DIR", description = "Report folder (default: target/conformance/<backend>).")
    Path report;

    @Override
    public Integer call() {
        try (Backend selected = Backends.discover().select(backend)) {
            Path dir = report != null ? report : Certification.defaultReportDirectory(selected.name());
            CertificationReport result = Certification.run(selected, dir, System.out);
            return result.passed() ? 0 : 1;
        }
    }
}
