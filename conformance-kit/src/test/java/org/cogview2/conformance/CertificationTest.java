package org.cogview2.conformance;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.cogview2.backend.reference.ReferenceBackend;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The programmatic entry point on the reference backend, and the report it writes. */
class CertificationTest {

    @Test
    void theReferenceBackendPassesAndTheReportIsWritten(@TempDir Path dir) throws Exception {
        ByteArrayOutputStream printed = new ByteArrayOutputStream();
        CertificationReport report;
        try (ReferenceBackend backend = new ReferenceBackend(2)) {
            report = Certification.run(backend, dir, new PrintStream(printed, true, StandardCharsets.UTF_8));
        }
        assertTrue(report.passed(), report::summary);
        // everything runs on the reference: a skip is only allowed for golden data that is not here
        for (CaseResult r : report.results()) {
            assertTrue(!r.skipped() || r.message().contains("golden"), r.describe());
        }
        // PASS where the golden data is present, PARTIAL (its cases listed as skipped) where it is not
        String verdict = report.results().stream().anyMatch(CaseResult::skipped) ? "PARTIAL" : "PASS";
        String out = printed.toString(StandardCharsets.UTF_8);
        assertTrue(out.contains("Verdict: " + verdict), out);
        for (String kernel : Tolerances.kernelOrder()) {
            assertTrue(out.lines().anyMatch(l -> l.startsWith(kernel + " ")), "row for " + kernel + " in\n" + out);
        }
        JsonNode json = new ObjectMapper().readTree(dir.resolve(CertificationReport.JSON_FILE).toFile());
        assertEquals(verdict, json.get("verdict").asText());
        assertEquals("cpu-reference", json.get("backend").asText());
        assertEquals(report.results().size(), json.get("results").size());
        assertEquals(Tolerances.kernelOrder().size(), json.get("kernels").size());
        assertTrue(dir.resolve(CertificationReport.TEXT_FILE).toFile().isFile());
        System.out.println("Conformance suite on the reference backend took " + report.duration().toMillis() + " ms");
    }

    @Test
    void everyRuleIsNamedAfterItsKernelAndEveryKernelHasATolerance() {
        for (Rule rule : ConformanceSuite.standard().rules()) {
            assertTrue(rule.name().startsWith(rule.kernel() + "_") || rule.kernel().equals("tensors"), rule.name());
            assertTrue(Tolerances.forKernel(rule.kernel()) != null, rule.kernel());
            assertTrue(!rule.description().isBlank(), rule.name());
        }
        assertEquals(ConformanceSuite.standard().rules().size(),
                ConformanceSuite.standard().rules().stream().map(Rule::name).distinct().count(), "rule names are unique");
    }
}
