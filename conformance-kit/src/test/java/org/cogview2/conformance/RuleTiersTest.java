package org.cogview2.conformance;

import org.cogview2.backend.reference.ReferenceBackend;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Rule ids and tiers, running rules alone, marking them not verified, and the three verdicts. */
class RuleTiersTest {

    static final String LINEAR = "required_linear_is_fp32_dot_product_plus_bias";
    static final String ADD = "required_add_is_an_exact_fp32_sum";

    static ReferenceBackend subject;
    static ReferenceBackend reference;

    @BeforeAll
    static void open() {
        subject = new ReferenceBackend(2);
        reference = new ReferenceBackend(2);
    }

    @AfterAll
    static void close() {
        subject.close();
        reference.close();
    }

    private static CertificationReport run(ConformanceSuite suite) {
        return suite.run(subject, reference, r -> { });
    }

    @Test
    void aRuleIsOptionalExactlyWhenEveryCaseNeedsACapability() {
        ConformanceSuite suite = ConformanceSuite.standard();
        assertEquals(LINEAR, suite.rule("linear_is_fp32_dot_product_plus_bias").id());
        assertEquals("optional_matmul_is_a_batched_fp32_product", suite.rule("matmul_is_a_batched_fp32_product").id());
        // capabilities per case (F16 or BF16) on every case: optional, though the rule itself names none
        assertEquals(Rule.Tier.OPTIONAL, suite.rule("upload_half_formats_are_widened_exactly_by_readFloats").tier());
        Set<String> ids = new HashSet<>();
        for (Rule r : suite.rules()) {
            assertTrue(ids.add(r.id()), "ids are unique: " + r.id());
            assertEquals(r.tier() == Rule.Tier.OPTIONAL, r.cases().stream().allMatch(c -> !r.requirements(c).isEmpty()), r.id());
        }
        long required = suite.rules().stream().filter(r -> r.tier() == Rule.Tier.REQUIRED).count();
        assertTrue(required >= 20 && required < suite.rules().size(), "required rules: " + required);
    }

    @Test
    void oneRuleRunsAloneByIdOrName() {
        CertificationReport one = run(ConformanceSuite.standard().only(List.of(LINEAR)));
        assertEquals(Set.of("linear_is_fp32_dot_product_plus_bias"),
                Set.copyOf(one.results().stream().map(CaseResult::rule).toList()));
        assertEquals(ConformanceSuite.standard().rule(LINEAR).cases().size(), one.results().size());
        assertEquals("PASS", one.verdict(), one::summary);
        assertEquals(1, ConformanceSuite.standard().only(List.of("add_is_an_exact_fp32_sum")).rules().size());
    }

    @Test
    void anUnknownRuleIsNamedWithTheRulesOfItsKernel() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> ConformanceSuite.standard().only(List.of("required_linear_is_fp32_dot_product")));
        assertTrue(e.getMessage().contains("no rule required_linear_is_fp32_dot_product"), e.getMessage());
        assertTrue(e.getMessage().contains(LINEAR), "suggests the rules of linear: " + e.getMessage());
        assertThrows(IllegalArgumentException.class,
                () -> ConformanceSuite.standard().withNotVerified(Map.of("nope_rule", "why")));
        assertThrows(IllegalArgumentException.class, () -> ConformanceSuite.standard().withNotVerified(Map.of(ADD, " ")));
    }

    @Test
    void aRuleMarkedNotVerifiedIsSkippedWithTheReasonAndTheVerdictIsPartial() {
        ConformanceSuite suite = ConformanceSuite.standard().only(List.of(LINEAR, ADD))
                .withNotVerified(Map.of(ADD, "our add fuses the rounding of two kernels"));
        CertificationReport report = run(suite);
        assertEquals("PARTIAL", report.verdict(), report::summary);
        assertTrue(report.passed(), "no case failed");
        String summary = report.summary();
        assertTrue(summary.contains("[" + ADD + "]") && summary.contains(
                "not verified by the vendor: our add fuses the rounding of two kernels"), summary);
        assertTrue(summary.contains("required rules: 1 passed, 0 failed, 1 skipped, 0 partly skipped (of 2)"), summary);
        String json = report.toJson();
        assertTrue(json.contains("\"verdict\" : \"PARTIAL\""), json);
        assertTrue(json.contains("\"ruleId\" : \"" + ADD + "\""), json);
    }

    @Test
    void aFailureMakesTheVerdictFailWhateverWasSkipped() {
        ConformanceSuite suite = ConformanceSuite.of(List.of(Rule.builder("add_always_fails", "add")
                        .check("one", c -> List.of(Comparison.ints("forced", new int[]{1}, new int[]{1}, new int[]{2})))
                        .build()))
                .withNotVerified(Map.of());
        CertificationReport report = run(suite);
        assertEquals("FAIL", report.verdict(), report::summary);
        assertTrue(report.summary().contains("[required_add_always_fails]"), report.summary());
    }
}
