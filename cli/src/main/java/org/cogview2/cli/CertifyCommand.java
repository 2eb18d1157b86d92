package org.cogview2.cli;

import org.cogview2.conformance.Certification;
import org.cogview2.conformance.CertificationReport;
import org.cogview2.conformance.ConformanceSuite;
import org.cogview2.spi.Backend;
import org.cogview2.spi.Backends;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;

/** {@code cogview2 certify --backend NAME}: the conformance kit against the CPU reference; writes the report. */
@Command(name = "certify", description = "Certify a backend: every kernel against the CPU reference backend; writes a JSON and text report."
        + " Verdict PASS, PARTIAL (no failure, some rules skipped: listed with why) or FAIL; exit status 1 on FAIL.")
final class CertifyCommand implements Callable<Integer> {

    @Option(names = "--backend", paramLabel = "NAME", description = "Backend to certify (default: the best available).")
    String backend;

    @Option(names = "--report", paramLabel = "DIR", description = "Report folder (default: target/conformance/<backend>).")
    Path report;

    @Option(names = "--rule", paramLabel = "ID", description = "Run only this rule (an id such as"
            + " required_linear_is_fp32_dot_product_plus_bias, or its name); repeatable.")
    List<String> rules = new ArrayList<>();

    @Option(names = "--not-verified", paramLabel = "ID=REASON", description = "Skip this rule and report it as not"
            + " verified, with the reason (the verdict is then at best PARTIAL); repeatable.")
    Map<String, String> notVerified = new LinkedHashMap<>();

    @Override
    public Integer call() {
        // Checked before the backend starts, so a misspelt id costs nothing.
        ConformanceSuite suite = ConformanceSuite.standard().withNotVerified(notVerified);
        if (!rules.isEmpty()) {
            suite = suite.only(rules);
        }
        try (Backend selected = Backends.discover().select(backend)) {
            Path dir = report != null ? report : Certification.defaultReportDirectory(selected.name());
            CertificationReport result = Certification.run(suite, selected, dir, System.out);
            return result.passed() ? 0 : 1;
        }
    }
}
