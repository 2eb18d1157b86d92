package org.cogview2.conformance;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import org.cogview2.spi.Backend;
import org.cogview2.spi.Capability;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.EnumSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;

/**
 * The result of certifying a backend: one row per kernel and the overall verdict, written as JSON
 * ({@value #JSON_FILE}) and as a readable summary ({@value #TEXT_FILE}).
 */
public final class CertificationReport {

    public static final String JSON_FILE = "conformance-report.json";
    public static final String TEXT_FILE = "conformance-summary.txt";

    /** One row of the report. */
    public record KernelSummary(String kernel, int rulesRun, int rulesSkipped, int rulesFailed, int casesPassed,
                                int casesFailed, int casesSkipped, double worstAbsError, long worstUlps,
                                double toleranceUsed, Tolerance tolerance) {

        /** {@code PASS}, {@code FAIL} or {@code SKIPPED} (nothing ran). */
        public String result() {
            if (casesFailed > 0) {
                return "FAIL";
            }
            return casesPassed == 0 ? "SKIPPED" : "PASS";
        }
    }

    private final String backend;
    private final String reference;
    private final Set<Capability> capabilities;
    private final long seed;
    private final Instant started;
    private final Duration duration;
    private final List<String> kernelOrder;
    private final List<CaseResult> results;
    private final Map<String, Rule> rulesByName;

    private CertificationReport(String backend, String reference, Set<Capability> capabilities, long seed,
                                Instant started, Duration duration, List<String> kernelOrder, List<CaseResult> results,
                                List<Rule> rules) {
        this.backend = backend;
        this.reference = reference;
        this.capabilities = capabilities.isEmpty() ? Set.of() : Collections.unmodifiableSet(EnumSet.copyOf(capabilities));
        this.seed = seed;
        this.started = started;
        this.duration = duration;
        this.kernelOrder = List.copyOf(kernelOrder);
        this.results = List.copyOf(results);
        Map<String, Rule> byName = new LinkedHashMap<>();
        rules.forEach(r -> byName.put(r.name(), r));
        this.rulesByName = Collections.unmodifiableMap(byName);
    }

    /** Gathers case results (in any order, from any thread) into a report. */
    public static final class Collector {
        private final ConformanceSuite suite;
        private final String backend;
        private final String reference;
        private final Set<Capability> capabilities;
        private final Instant started = Instant.now();
        private final List<CaseResult> results = new ArrayList<>();

        private Collector(ConformanceSuite suite, Backend subject, Backend referenceBackend) {
            this.suite = suite;
            this.backend = subject.name();
            this.reference = referenceBackend.name();
            this.capabilities = subject.capabilities();
        }

        public synchronized void add(CaseResult result) {
            results.add(result);
        }

        public synchronized CertificationReport finish() {
            return new CertificationReport(backend, reference, capabilities, suite.seed(), started,
                    Duration.between(started, Instant.now()), suite.kernels(), results, suite.rules());
        }
    }

    public static Collector collector(ConformanceSuite suite, Backend subject, Backend reference) {
        return new Collector(suite, subject, reference);
    }

    // ------------------------------------------------------------------ content

    public String backend() {
        return backend;
    }

    public List<CaseResult> results() {
        return results;
    }

    public Duration duration() {
        return duration;
    }

    /** True if no case failed: the verdict is {@code PASS} or {@code PARTIAL} (skipped cases are listed). */
    public boolean passed() {
        return results.stream().noneMatch(CaseResult::failed);
    }

    /** The id of the rule a result belongs to ({@code required_...} or {@code optional_...}). */
    public String ruleId(CaseResult result) {
        Rule rule = rulesByName.get(result.rule());
        return rule == null ? result.rule() : rule.id();
    }

    /** The tier of the rule a result belongs to (results of a rule this report does not know count as required). */
    public Rule.Tier tier(CaseResult result) {
        Rule rule = rulesByName.get(result.rule());
        return rule == null ? Rule.Tier.REQUIRED : rule.tier();
    }

    /** Rules of {@code tier} by outcome: failed (a case failed), skipped (every case skipped), partly skipped, passed. */
    public Map<String, Integer> ruleCounts(Rule.Tier tier) {
        Map<String, List<CaseResult>> byRule = new LinkedHashMap<>();
        for (CaseResult r : results) {
            if (tier(r) == tier) {
                byRule.computeIfAbsent(r.rule(), k -> new ArrayList<>()).add(r);
            }
        }
        Map<String, Integer> counts = new LinkedHashMap<>();
        for (String k : List.of("total", "passed", "failed", "skipped", "partlySkipped")) {
            counts.put(k, 0);
        }
        for (List<CaseResult> cases : byRule.values()) {
            String outcome = cases.stream().anyMatch(CaseResult::failed) ? "failed"
                    : cases.stream().allMatch(CaseResult::skipped) ? "skipped"
                    : cases.stream().anyMatch(CaseResult::skipped) ? "partlySkipped" : "passed";
            counts.merge(outcome, 1, Integer::sum);
            counts.merge("total", 1, Integer::sum);
        }
        return counts;
    }

    public List<CaseResult> failures() {
        return results.stream().filter(CaseResult::failed).toList();
    }

    public long count(CaseResult.Status status) {
        return results.stream().filter(r -> r.status() == status).count();
    }

    /**
     * {@code FAIL} if any case failed; {@code PARTIAL} if none failed but some were skipped (a capability not
     * declared, a rule the vendor marked not verified, golden data absent), the skipped ones listed with their
     * reasons; {@code PASS} if every case ran and passed.
     */
    public String verdict() {
        if (!passed()) {
            return "FAIL";
        }
        return results.stream().anyMatch(CaseResult::skipped) ? "PARTIAL" : "PASS";
    }

    /** One row per kernel, in report order. */
    public List<KernelSummary> kernels() {
        Map<String, List<CaseResult>> byKernel = new LinkedHashMap<>();
        kernelOrder.forEach(k -> byKernel.put(k, new ArrayList<>()));
        for (CaseResult r : results) {
            byKernel.computeIfAbsent(r.kernel(), k -> new ArrayList<>()).add(r);
        }
        List<KernelSummary> rows = new ArrayList<>();
        for (Map.Entry<String, List<CaseResult>> e : byKernel.entrySet()) {
            List<CaseResult> cases = e.getValue();
            Map<String, List<CaseResult>> byRule = new LinkedHashMap<>();
            for (CaseResult r : cases) {
                byRule.computeIfAbsent(r.rule(), k -> new ArrayList<>()).add(r);
            }
            int rulesRun = 0;
            int rulesSkipped = 0;
            int rulesFailed = 0;
            for (List<CaseResult> ruleCases : byRule.values()) {
                if (ruleCases.stream().allMatch(CaseResult::skipped)) {
                    rulesSkipped++;
                } else {
                    rulesRun++;
                }
                if (ruleCases.stream().anyMatch(CaseResult::failed)) {
                    rulesFailed++;
                }
            }
            Tolerance tolerance = Tolerances.forKernel(e.getKey());
            rows.add(new KernelSummary(e.getKey(), rulesRun, rulesSkipped, rulesFailed,
                    (int) cases.stream().filter(CaseResult::passed).count(),
                    (int) cases.stream().filter(CaseResult::failed).count(),
                    (int) cases.stream().filter(CaseResult::skipped).count(),
                    cases.stream().filter(r -> !r.skipped()).mapToDouble(CaseResult::maxAbsError).max().orElse(0),
                    cases.stream().filter(r -> !r.skipped()).mapToLong(CaseResult::maxUlps).max().orElse(0),
                    cases.stream().filter(CaseResult::passed).mapToDouble(CaseResult::toleranceUsed).max().orElse(0),
                    tolerance != null ? tolerance : Tolerance.EXACT));
        }
        return rows;
    }

    // ------------------------------------------------------------------ rendering

    /** The readable summary: a header, one row per kernel, the verdict, and every failure and skip reason. */
    public String summary() {
        StringBuilder sb = new StringBuilder();
        sb.append("CogView2 kernel conformance of backend '").append(backend).append("' against '").append(reference)
                .append("'\n");
        sb.append("capabilities: ").append(capabilities.isEmpty() ? "none" : capabilities).append("; seed ")
                .append(String.format(Locale.ROOT, "0x%X", seed)).append("; ").append(started).append('\n');
        String header = String.format(Locale.ROOT, "%-18s %5s %7s %21s %11s %8s %6s  %-50s %s",
                "kernel", "rules", "skipped", "cases pass/fail/skip", "worst |err|", "ulps", "used", "tolerance", "result");
        sb.append(header).append('\n').append("-".repeat(header.length())).append('\n');
        for (KernelSummary k : kernels()) {
            sb.append(String.format(Locale.ROOT, "%-18s %5d %7d %21s %11s %8d %6s  %-50s %s%n", k.kernel(), k.rulesRun(),
                    k.rulesSkipped(), k.casesPassed() + "/" + k.casesFailed() + "/" + k.casesSkipped(),
                    String.format(Locale.ROOT, "%.2e", k.worstAbsError()), k.worstUlps(),
                    ComparisonResult.percent(k.toleranceUsed()), k.tolerance().describe(), k.result()));
        }
        sb.append("(worst |err| and ulps over all compared elements; used: the largest share of its tolerance a passing"
                + " case used)\n");
        sb.append(String.format(Locale.ROOT, "%nVerdict: %s (%d cases passed, %d failed, %d skipped) in %.1f s%n",
                verdict(), count(CaseResult.Status.PASSED), count(CaseResult.Status.FAILED),
                count(CaseResult.Status.SKIPPED), duration.toMillis() / 1000.0));
        for (Rule.Tier tier : Rule.Tier.values()) {
            Map<String, Integer> c = ruleCounts(tier);
            sb.append(String.format(Locale.ROOT, "%s rules: %d passed, %d failed, %d skipped, %d partly skipped (of %d)%n",
                    tier.name().toLowerCase(Locale.ROOT), c.get("passed"), c.get("failed"), c.get("skipped"),
                    c.get("partlySkipped"), c.get("total")));
        }
        List<CaseResult> failures = failures();
        if (!failures.isEmpty()) {
            sb.append("\nFailures:\n");
            failures.forEach(f -> sb.append("  [").append(ruleId(f)).append("] ").append(f.describe()).append('\n'));
        }
        List<CaseResult> skips = results.stream().filter(CaseResult::skipped).toList();
        if (!skips.isEmpty()) {
            sb.append("\nSkipped:\n");
            skips.forEach(s -> sb.append("  [").append(ruleId(s)).append("] ").append(s.describe()).append('\n'));
        }
        return sb.toString();
    }

    /** The full report as JSON: header, kernel rows and every case with its comparisons. */
    public String toJson() {
        ObjectMapper mapper = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);
        ObjectNode root = mapper.createObjectNode();
        root.put("backend", backend);
        root.put("reference", reference);
        ArrayNode caps = root.putArray("capabilities");
        capabilities.forEach(c -> caps.add(c.name()));
        root.put("seed", seed);
        root.put("started", started.toString());
        root.put("durationMillis", duration.toMillis());
        root.put("verdict", verdict());
        root.put("passed", passed());
        ObjectNode counts = root.putObject("cases");
        counts.put("total", results.size());
        counts.put("passed", count(CaseResult.Status.PASSED));
        counts.put("failed", count(CaseResult.Status.FAILED));
        counts.put("skipped", count(CaseResult.Status.SKIPPED));
        ObjectNode tiers = root.putObject("rules");
        for (Rule.Tier tier : Rule.Tier.values()) {
            ObjectNode t = tiers.putObject(tier.name().toLowerCase(Locale.ROOT));
            ruleCounts(tier).forEach(t::put);
        }
        ArrayNode kernels = root.putArray("kernels");
        for (KernelSummary k : kernels()) {
            ObjectNode row = kernels.addObject();
            row.put("kernel", k.kernel());
            row.put("rulesRun", k.rulesRun());
            row.put("rulesSkipped", k.rulesSkipped());
            row.put("rulesFailed", k.rulesFailed());
            row.put("casesPassed", k.casesPassed());
            row.put("casesFailed", k.casesFailed());
            row.put("casesSkipped", k.casesSkipped());
            row.put("worstAbsError", k.worstAbsError());
            row.put("worstUlps", k.worstUlps());
            row.put("toleranceUsed", k.toleranceUsed());
            ObjectNode tol = row.putObject("tolerance");
            tol.put("maxUlps", k.tolerance().maxUlps());
            tol.put("abs", k.tolerance().abs());
            tol.put("rel", k.tolerance().rel());
            tol.put("text", k.tolerance().describe());
            row.put("result", k.result());
        }
        ArrayNode cases = root.putArray("results");
        for (CaseResult r : results) {
            ObjectNode c = cases.addObject();
            c.put("kernel", r.kernel());
            c.put("rule", r.rule());
            c.put("ruleId", ruleId(r));
            c.put("tier", tier(r).name());
            c.put("case", r.caseName());
            c.put("status", r.status().name());
            c.put("message", r.message());
            c.put("seed", r.seed());
            c.put("durationMillis", r.duration().toMillis());
            ArrayNode comps = c.putArray("comparisons");
            for (ComparisonResult cr : r.comparisons()) {
                ObjectNode o = comps.addObject();
                o.put("label", cr.label());
                o.put("passed", cr.passed());
                o.put("elements", cr.elements());
                o.put("mismatches", cr.mismatches());
                o.put("maxAbsError", cr.maxAbsError());
                o.put("maxUlps", cr.maxUlps());
                o.put("toleranceUsed", cr.toleranceUsed());
                if (cr.worstIndex() >= 0) {
                    o.put("worstIndex", cr.worstIndex());
                    ArrayNode coords = o.putArray("worstCoordinates");
                    for (int i : cr.worstCoordinates()) {
                        coords.add(i);
                    }
                    o.put("got", cr.got());
                    o.put("want", cr.want());
                }
                if (cr.problem() != null) {
                    o.put("problem", cr.problem());
                }
                o.put("text", cr.describe());
            }
        }
        try {
            return mapper.writeValueAsString(root);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Writes {@value #JSON_FILE} and {@value #TEXT_FILE} into {@code directory} (created if needed). */
    public void write(Path directory) {
        try {
            Files.createDirectories(directory);
            Files.writeString(directory.resolve(JSON_FILE), toJson(), StandardCharsets.UTF_8);
            Files.writeString(directory.resolve(TEXT_FILE), summary(), StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write the conformance report to " + directory, e);
        }
    }

    @Override
    public String toString() {
        return "CertificationReport[" + backend + ": " + verdict() + "]";
    }
}
