package org.cogview2.conformance;

import org.cogview2.backend.reference.ReferenceBackend;
import org.cogview2.spi.Backend;
import org.cogview2.spi.Backends;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DynamicContainer;
import org.junit.jupiter.api.DynamicNode;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.TestFactory;
import org.junit.jupiter.api.TestInstance;
import org.opentest4j.AssertionFailedError;

import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;

/**
 * The JUnit 5 face of the kit. A backend vendor certifies a backend with one small test class:
 *
 * <pre>{@code
 * class MyBackendConformanceTest extends BackendConformanceKit {
 *     @Override
 *     protected Backend createBackend() {
 *         return new MyBackend();            // or: return backendNamed("my-backend");
 *     }
 * }
 * }</pre>
 *
 * The kit produces one container per kernel, one per rule inside it and one dynamic test per case; a failing case
 * fails its test with a message naming the kernel, the rule, the element index and the two values; a case needing a
 * capability the backend does not declare is aborted (reported as skipped). After the run the
 * {@link CertificationReport} is written to {@link #reportDirectory(Backend)} and its summary printed.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
public abstract class BackendConformanceKit {

    private Backend subject;
    private Backend reference;
    private ConformanceSuite suite;
    private CertificationReport.Collector collector;
    private CertificationReport report;

    /** The backend to certify. Called once per test class; the kit closes it after the run. */
    protected abstract Backend createBackend();

    /** The rules to run: the standard suite unless overridden (for example with another seed). */
    protected ConformanceSuite suite() {
        return ConformanceSuite.standard();
    }

    /** Where the report goes: {@code target/conformance/<backend name>} unless overridden. */
    protected Path reportDirectory(Backend backend) {
        return Certification.defaultReportDirectory(backend.name());
    }

    /** The backend found by {@link Backends#discover()} under this name (a helper for {@link #createBackend()}). */
    protected static Backend backendNamed(String name) {
        return Backends.discover().select(name);
    }

    /** The report of the last run (null before the run has finished). */
    protected final CertificationReport report() {
        return report;
    }

    @BeforeAll
    final void startConformanceRun() {
        subject = createBackend();
        reference = new ReferenceBackend();
        suite = suite();
        collector = CertificationReport.collector(suite, subject, reference);
    }

    @TestFactory
    final Stream<DynamicNode> kernelConformance() {
        return suite.kernels().stream().map(kernel -> DynamicContainer.dynamicContainer(kernel,
                suite.rules().stream().filter(r -> r.kernel().equals(kernel)).map(this::ruleContainer)));
    }

    private DynamicNode ruleContainer(Rule rule) {
        List<DynamicNode> cases = rule.cases().stream()
                .<DynamicNode>map(c -> DynamicTest.dynamicTest(c.name(), () -> runCase(rule, c)))
                .toList();
        return DynamicContainer.dynamicContainer(rule.name(), cases);
    }

    private void runCase(Rule rule, Rule.Case c) {
        CaseResult result = suite.runCase(rule, c, subject, reference);
        collector.add(result);
        switch (result.status()) {
            case PASSED -> { }
            case SKIPPED -> Assumptions.abort(result.describe());
            case FAILED -> throw new AssertionFailedError(result.describe());
        }
    }

    @AfterAll
    final void finishConformanceRun() {
        try {
            report = collector.finish();
            report.write(reportDirectory(subject));
            System.out.print(report.summary());
        } finally {
            try {
                subject.close();
            } finally {
                reference.close();
            }
        }
    }
}
