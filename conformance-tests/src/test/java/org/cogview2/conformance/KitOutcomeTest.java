package org.cogview2.conformance;

import org.cogview2.spi.Backend;
import org.cogview2.spi.Capability;
import org.cogview2.spi.Kernels;
import org.cogview2.spi.Tensor;
import org.cogview2.spi.TensorScope;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.platform.engine.TestExecutionResult;
import org.junit.platform.testkit.engine.EngineExecutionResults;
import org.junit.platform.testkit.engine.EngineTestKit;
import org.junit.platform.testkit.engine.Event;
import org.junit.platform.testkit.engine.Events;

import java.nio.file.Files;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Proxy;
import java.nio.file.Path;
import java.util.EnumSet;
import java.util.List;
import java.util.Set;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.platform.engine.discovery.DiscoverySelectors.selectClass;

/**
 * What the JUnit adapter reports for a wrong backend and for a backend without local attention, checked with
 * JUnit's {@link EngineTestKit} on kit subclasses nested here (the build's test scan skips nested classes, so they
 * only run through this test).
 */
class KitOutcomeTest {

    /** The flat index whose value the broken layerNorm shifts. */
    static final int CORRUPT_INDEX = WrappedBackend.CORRUPT_INDEX;

    static Backend corruptedLayerNorm() {
        return WrappedBackend.corruptedLayerNorm();
    }

    static Backend withoutLocalAttention() {
        Set<Capability> caps = EnumSet.allOf(Capability.class);
        caps.remove(Capability.LOCAL_ATTENTION);
        return new WrappedBackend("no-local-attention", caps, (Kernels k) -> k);
    }

    /** The reference kernels behind the bare {@link Kernels} interface: no primitive kernels on offer. */
    static Kernels requiredOnly(Kernels k) {
        return (Kernels) Proxy.newProxyInstance(Kernels.class.getClassLoader(), new Class<?>[]{Kernels.class},
                (proxy, method, args) -> {
                    try {
                        return method.invoke(k, args);
                    } catch (InvocationTargetException e) {
                        throw e.getCause();
                    }
                });
    }

    static Backend withoutPrimitives() {
        Set<Capability> caps = EnumSet.allOf(Capability.class);
        caps.remove(Capability.PRIMITIVE_KERNELS);
        return new WrappedBackend("no-primitives", caps, KitOutcomeTest::requiredOnly);
    }

    /** Claims PRIMITIVE_KERNELS, but its kernels do not implement them. */
    static Backend claimingPrimitives() {
        return new WrappedBackend("claims-primitives", EnumSet.allOf(Capability.class), KitOutcomeTest::requiredOnly);
    }

    static Path reportDir;

    /** The kit on one of the backends above, kernel rules only, reporting into {@link #reportDir}. */
    abstract static class KernelRulesKit extends BackendConformanceKit {
        @Override
        protected boolean runsGoldenCases() {
            return false; // the kernel rules are under test here
        }

        @Override
        protected Path reportDirectory(Backend backend) {
            return reportDir.resolve(backend.name());
        }
    }

    static class CorruptedLayerNormKit extends KernelRulesKit {
        @Override
        protected Backend createBackend() {
            return corruptedLayerNorm();
        }
    }

    static class NoLocalAttentionKit extends KernelRulesKit {
        @Override
        protected Backend createBackend() {
            return withoutLocalAttention();
        }
    }

    static class NoPrimitivesKit extends KernelRulesKit {
        @Override
        protected Backend createBackend() {
            return withoutPrimitives();
        }
    }

    static class ClaimingPrimitivesKit extends KernelRulesKit {
        @Override
        protected Backend createBackend() {
            return claimingPrimitives();
        }
    }

    private static String message(Event e) {
        return e.getPayload(TestExecutionResult.class).orElseThrow().getThrowable().orElseThrow().getMessage();
    }

    private static EngineExecutionResults execute(Class<?> kit, Path dir) {
        reportDir = dir;
        return EngineTestKit.engine("junit-jupiter").selectors(selectClass(kit)).execute();
    }

    @Test
    void aBackendWithOneWrongLayerNormElementFailsOnlyTheLayerNormRules(@TempDir Path dir)
            throws Exception {
        Events tests = execute(CorruptedLayerNormKit.class, dir).testEvents();
        List<Event> failed = tests.failed().list();
        assertFalse(failed.isEmpty(), "the broken layerNorm must fail certification");
        for (Event e : failed) {
            String message = message(e);
            assertTrue(message.startsWith("layerNorm: rule layerNorm_"), message);
            assertTrue(message.contains("worst at index " + CORRUPT_INDEX + " ["), message);
            assertTrue(message.contains(": got ") && message.contains(" want "), message);
        }
        // every case of the main layerNorm rule fails; its first case is x[3,63]: index 5 is [0, 5]
        String first = failed.stream().map(KitOutcomeTest::message)
                .filter(m -> m.contains("case x[3,63] eps 1e-5")).findFirst().orElseThrow();
        assertTrue(first.contains("layerNorm_normalises_the_last_dim_with_biased_variance"), first);
        assertTrue(first.contains("worst at index 5 [0, 5]: got "), first);

        long layerNormCases = ConformanceSuite.standard().rules().stream()
                .filter(r -> r.name().equals("layerNorm_normalises_the_last_dim_with_biased_variance")
                        || r.name().equals("layerNorm_half_affine_parameters_are_widened"))
                .mapToLong(r -> r.cases().size()).sum();
        assertEquals(layerNormCases, failed.size(), "failed: " + failed);
        long total = ConformanceSuite.standard().rules().stream().mapToLong(r -> r.cases().size()).sum();
        assertEquals(total - failed.size() - tests.aborted().count(), tests.succeeded().count());
        // the backend declares every capability: nothing is skipped except the golden-data rules when the data is absent
        assertTrue(tests.aborted().list().stream().allMatch(e -> message(e).contains("golden data not found")),
                tests.aborted().list()::toString);

        Path report = dir.resolve("corrupted-layerNorm");
        String summary = Files.readString(report.resolve(CertificationReport.TEXT_FILE));
        assertTrue(summary.contains("Verdict: FAIL"), summary);
        assertTrue(summary.lines().anyMatch(l -> l.startsWith("layerNorm ") && l.endsWith("FAIL")), summary);
        assertTrue(summary.lines().anyMatch(l -> l.startsWith("linear ") && l.endsWith("PASS")), summary);
        String json = Files.readString(report.resolve(CertificationReport.JSON_FILE));
        assertTrue(json.contains("\"verdict\" : \"FAIL\""), json.substring(0, 300));
    }

    @Test
    void aBackendWithoutLocalAttentionHasThoseRulesSkippedNotPassed(@TempDir Path dir)
            throws Exception {
        Events tests = execute(NoLocalAttentionKit.class, dir).testEvents();
        long needLocal = ConformanceSuite.standard().rules().stream()
                .flatMap(r -> r.cases().stream().filter(c -> r.requirements(c).contains(Capability.LOCAL_ATTENTION)))
                .count();
        assertTrue(needLocal >= 9, "the gridAttention rules: " + needLocal);
        assertEquals(0, tests.failed().count(), () -> tests.failed().list().toString());
        List<Event> aborted = tests.aborted().list();
        long abortedForCapability = aborted.stream()
                .map(KitOutcomeTest::message)
                .filter(m -> m.contains("lacks capability [LOCAL_ATTENTION]"))
                .count();
        assertEquals(needLocal, abortedForCapability);

        String summary = Files.readString(dir.resolve("no-local-attention").resolve(CertificationReport.TEXT_FILE));
        assertTrue(summary.lines().anyMatch(l -> l.startsWith("gridAttention ") && l.endsWith("SKIPPED")), summary);
        // the Image-Local-Attention primitives are PRIMITIVE_KERNELS, which this backend declares
        for (String kernel : List.of("localSimilar", "localWeighting")) {
            assertTrue(summary.lines().anyMatch(l -> l.startsWith(kernel + " ") && l.endsWith("PASS")), summary);
        }
        // attention's golden rule needs no local attention, so that row still ran
        assertTrue(summary.lines().anyMatch(l -> l.startsWith("attention ") && l.endsWith("PASS")), summary);
        assertTrue(summary.contains("Verdict: PARTIAL"), "no failure, some rules skipped: " + summary);
    }

    @Test
    void aBackendWithOnlyTheRequiredKernelsPassesWithThePrimitiveRulesSkipped(@TempDir Path dir) throws Exception {
        Events tests = execute(NoPrimitivesKit.class, dir).testEvents();
        long needPrimitives = ConformanceSuite.standard().rules().stream()
                .flatMap(r -> r.cases().stream().filter(c -> r.requirements(c).contains(Capability.PRIMITIVE_KERNELS)))
                .count();
        assertTrue(needPrimitives > 20, "matmul, scale, cast, softmax, localSimilar, localWeighting: " + needPrimitives);
        assertEquals(0, tests.failed().count(), () -> tests.failed().list().toString());
        assertEquals(needPrimitives, tests.aborted().list().stream().map(KitOutcomeTest::message)
                .filter(m -> m.contains("lacks capability [PRIMITIVE_KERNELS]")).count());
        String summary = Files.readString(dir.resolve("no-primitives").resolve(CertificationReport.TEXT_FILE));
        for (String kernel : List.of("matmul", "scale", "cast", "softmax", "localSimilar", "localWeighting")) {
            assertTrue(summary.lines().anyMatch(l -> l.startsWith(kernel + " ") && l.endsWith("SKIPPED")), summary);
        }
        assertTrue(summary.lines().anyMatch(l -> l.startsWith("gridAttention ") && l.endsWith("PASS")), summary);
        assertTrue(summary.contains("Verdict: PARTIAL"), "no failure, some rules skipped: " + summary);
    }

    @Test
    void declaringPrimitiveKernelsThatAreNotOfferedFails(@TempDir Path dir) {
        Events tests = execute(ClaimingPrimitivesKit.class, dir).testEvents();
        List<String> failed = tests.failed().list().stream().map(KitOutcomeTest::message).toList();
        assertTrue(failed.stream().anyMatch(m -> m.contains("capabilities_declare_primitive_kernels_exactly_when_offered")),
                failed.toString());
        assertTrue(failed.stream().filter(m -> m.startsWith("matmul")).allMatch(m -> m.contains("do not implement")),
                failed.toString());
    }
}
