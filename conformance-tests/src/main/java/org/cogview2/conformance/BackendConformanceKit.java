package org.cogview2.conformance;

import org.cogview2.backend.reference.ReferenceBackend;
import org.cogview2.spi.Backend;
import org.cogview2.spi.Backends;
import org.cogview2.spi.Capability;
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
import java.util.Arrays;
import java.util.EnumSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
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

    /** System property naming the rules to run alone, comma-separated ids or names. */
    public static final String RULE_PROPERTY = "cogview2.kit.rule";

    private Backend subject;
    private Backend reference;
    private ConformanceSuite suite;
    private CertificationReport.Collector collector;
    private CertificationReport report;
    private ModelGoldens.Session goldenSession;

    /** The backend to certify. Called once per test class; the kit closes it after the run. */
    protected abstract Backend createBackend();

    /** The rules to run: the standard suite unless overridden (for example with another seed). */
    protected ConformanceSuite suite() {
        return ConformanceSuite.standard();
    }

    /**
     * Rules this backend knowingly does not meet, by id (or name), with the reason: they are skipped and listed as
     * not verified, and the verdict is at best {@code PARTIAL}. Empty unless overridden.
     */
    protected Map<String, String> notVerified() {
        return Map.of();
    }

    /** Whether to run golden cases at all (true unless overridden; a kit run about the kernel rules alone may say no). */
    protected boolean runsGoldenCases() {
        return true;
    }

    /**
     * Whether to run a golden case (every case unless overridden; all of them take about a minute on the reference
     * backend). A slow or partial backend, such as an emulator, may keep only some.
     */
    protected boolean includeGoldenCase(ModelGoldens.Case golden) {
        return true;
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
        suite = suite().withNotVerified(notVerified());
        // -Dcogview2.kit.rule=ID[,ID...] runs those rules alone (from an IDE or one Maven invocation)
        String only = System.getProperty(RULE_PROPERTY, "").trim();
        if (!only.isEmpty()) {
            suite = suite.only(Arrays.stream(only.split(",")).map(String::trim).filter(x -> !x.isEmpty()).toList());
        }
        collector = CertificationReport.collector(suite, subject, reference);
    }

    @TestFactory
    final Stream<DynamicNode> kernelConformance() {
        return suite.kernels().stream().map(kernel -> DynamicContainer.dynamicContainer(kernel,
                suite.rules().stream().filter(r -> r.kernel().equals(kernel)).map(this::ruleContainer)));
    }

    /**
     * The golden cases of the official code (model-level: tokenizer, CogLM, post-selection, DSR, iterative SR,
     * decoding, local attention) run on the backend under test, one test per case folder found under the golden
     * folder ({@link GoldenData}). Cases whose kind needs a capability the backend lacks are skipped; without the
     * golden folder the container is empty but for one skipped test saying why.
     */
    @TestFactory
    final Stream<DynamicNode> goldenCases() {
        if (!runsGoldenCases()) {
            return Stream.empty();
        }
        java.util.Optional<Path> dir = GoldenData.locate();
        if (dir.isEmpty()) {
            return Stream.of(DynamicTest.dynamicTest("golden data",
                    () -> GoldenData.skipOrFail("any", reason -> Assumptions.abort(reason))));
        }
        java.util.Optional<ModelGoldens> goldens = ModelGoldens.find();
        if (goldens.isEmpty()) {
            // The kernel-level golden cases ran with the rules; the model-level ones need the model code.
            return Stream.of(DynamicTest.dynamicTest("model-level golden cases", () -> Assumptions.abort(
                    "not run: add " + ModelGoldens.ARTIFACT + " to the test class path to run the golden cases of"
                            + " the official models on this backend")));
        }
        goldenSession = goldens.get().open(dir.get(), subject);
        return goldenSession.cases().stream().filter(this::includeGoldenCase).map(golden ->
                DynamicTest.dynamicTest(golden.name() + " (" + golden.kind() + ")", () -> {
                    Set<Capability> missing = EnumSet.noneOf(Capability.class);
                    missing.addAll(golden.requires());
                    missing.removeAll(subject.capabilities());
                    if (!missing.isEmpty()) {
                        Assumptions.abort("backend " + subject.name() + " lacks " + missing + ", needed by " + golden.kind());
                    }
                    String failure = golden.run();
                    if (failure != null) {
                        throw new AssertionFailedError(failure);
                    }
                }));
    }

    private DynamicNode ruleContainer(Rule rule) {
        List<DynamicNode> cases = rule.cases().stream()
                .<DynamicNode>map(c -> DynamicTest.dynamicTest(c.name(), () -> runCase(rule, c)))
                .toList();
        return DynamicContainer.dynamicContainer(rule.id(), cases);
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
            if (goldenSession != null) {
                goldenSession.close();
            }
            try {
                subject.close();
            } finally {
                reference.close();
            }
        }
    }
}
