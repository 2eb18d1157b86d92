package org.cogview2.conformance;

import org.cogview2.backend.reference.ReferenceBackend;
import org.cogview2.conformance.rules.StandardRules;
import org.cogview2.spi.Backend;
import org.cogview2.spi.Capability;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collection;
import java.util.EnumSet;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.function.Predicate;

/**
 * The kernel conformance suite, usable without JUnit: every rule's cases run on the backend under test and on the
 * reference backend with the same seeded inputs, and are compared with the rule's tolerance.
 *
 * <pre>{@code
 * try (Backend mine = new MyBackend()) {
 *     CertificationReport report = ConformanceSuite.standard().run(mine);
 *     System.out.println(report.summary());
 * }
 * }</pre>
 *
 * A case whose required {@link Capability capabilities} the backend does not declare is skipped (and reported as
 * skipped, never as passed).
 */
public final class ConformanceSuite {

    /** The default seed of the random inputs. */
    public static final long DEFAULT_SEED = 0x0C06_2022_0615L;

    /** Receives each case result as it is produced. */
    @FunctionalInterface
    public interface Listener {
        void caseFinished(CaseResult result);
    }

    private final List<Rule> rules;
    private final long seed;
    private final Map<String, String> notVerified;

    private ConformanceSuite(List<Rule> rules, long seed, Map<String, String> notVerified) {
        this.rules = List.copyOf(rules);
        this.seed = seed;
        this.notVerified = Map.copyOf(notVerified);
    }

    private ConformanceSuite(List<Rule> rules, long seed) {
        this(rules, seed, Map.of());
    }

    /** Every standard rule (see {@link StandardRules}). */
    public static ConformanceSuite standard() {
        return new ConformanceSuite(StandardRules.all(), DEFAULT_SEED);
    }

    /** A suite of the given rules. */
    public static ConformanceSuite of(List<Rule> rules) {
        return new ConformanceSuite(rules, DEFAULT_SEED);
    }

    /** The same rules with other random inputs. */
    public ConformanceSuite withSeed(long newSeed) {
        return new ConformanceSuite(rules, newSeed, notVerified);
    }

    /** Only the rules matching {@code filter}. */
    public ConformanceSuite filter(Predicate<Rule> filter) {
        return new ConformanceSuite(rules.stream().filter(filter).toList(), seed, notVerified);
    }

    /**
     * Only the named rules (ids such as {@code required_linear_is_fp32_dot_product_plus_bias}, or names), in suite
     * order: to run one rule alone while working on a kernel.
     *
     * @throws IllegalArgumentException naming every unknown rule
     */
    public ConformanceSuite only(Collection<String> idsOrNames) {
        requireKnown(idsOrNames);
        return filter(r -> idsOrNames.stream().anyMatch(r::isNamed));
    }

    /**
     * The same rules, with those named in {@code reasons} (id or name to the vendor's reason) skipped and reported as
     * not verified: a backend that knowingly departs from a rule says so, and the verdict is at best
     * {@code PARTIAL}.
     *
     * @throws IllegalArgumentException naming every unknown rule, or a blank reason
     */
    public ConformanceSuite withNotVerified(Map<String, String> reasons) {
        requireKnown(reasons.keySet());
        Map<String, String> byName = new LinkedHashMap<>(notVerified);
        reasons.forEach((rule, reason) -> {
            if (reason == null || reason.isBlank()) {
                throw new IllegalArgumentException("rule " + rule + " is marked not verified without a reason");
            }
            byName.put(rule(rule).name(), reason);
        });
        return new ConformanceSuite(rules, seed, byName);
    }

    /** The rule with this id or name. */
    public Rule rule(String idOrName) {
        return rules.stream().filter(r -> r.isNamed(idOrName)).findFirst().orElseThrow(() -> unknown(List.of(idOrName)));
    }

    private void requireKnown(Collection<String> idsOrNames) {
        List<String> unknown = idsOrNames.stream().filter(n -> rules.stream().noneMatch(r -> r.isNamed(n))).toList();
        if (!unknown.isEmpty()) {
            throw unknown(unknown);
        }
    }

    private IllegalArgumentException unknown(List<String> names) {
        // rules of the same kernel as the unknown name, which is usually a typo of one of them
        Set<String> kernels = new LinkedHashSet<>();
        for (String n : names) {
            String bare = n;
            for (Rule.Tier tier : Rule.Tier.values()) {
                if (bare.startsWith(tier.prefix())) {
                    bare = bare.substring(tier.prefix().length());
                }
            }
            kernels.add(bare.contains("_") ? bare.substring(0, bare.indexOf('_')) : bare);
        }
        List<String> similar = rules.stream().filter(r -> kernels.contains(r.kernel())).map(Rule::id).toList();
        return new IllegalArgumentException("no rule " + String.join(", ", names) + " in this suite of " + rules.size()
                + " rules" + (similar.isEmpty() ? "" : "; rules of that kernel: " + String.join(", ", similar))
                + " (every id is listed in the kit's README and in the report)");
    }

    public List<Rule> rules() {
        return rules;
    }

    public long seed() {
        return seed;
    }

    /** The kernels covered, in report order. */
    public List<String> kernels() {
        Set<String> kernels = new LinkedHashSet<>();
        for (String k : Tolerances.kernelOrder()) {
            if (rules.stream().anyMatch(r -> r.kernel().equals(k))) {
                kernels.add(k);
            }
        }
        rules.forEach(r -> kernels.add(r.kernel()));
        return List.copyOf(kernels);
    }

    /** The seed of one case's inputs: derived from the suite seed and the rule and case names. */
    public long caseSeed(Rule rule, Rule.Case c) {
        long h = seed;
        for (char ch : (rule.name() + "/" + c.name()).toCharArray()) {
            h = h * 0x9E3779B97F4A7C15L + ch;
        }
        return h ^ (h >>> 31);
    }

    /**
     * Runs one case. Never throws for a failure of the backend under test: the result says what happened.
     */
    public CaseResult runCase(Rule rule, Rule.Case c, Backend subject, Backend reference) {
        long caseSeed = caseSeed(rule, c);
        String reason = notVerified.get(rule.name());
        if (reason != null) {
            return new CaseResult(rule.kernel(), rule.name(), c.name(), CaseResult.Status.SKIPPED,
                    "not verified by the vendor: " + reason, List.of(), caseSeed, Duration.ZERO);
        }
        Set<Capability> missing = EnumSet.noneOf(Capability.class);
        missing.addAll(rule.requirements(c));
        missing.removeAll(subject.capabilities());
        if (!missing.isEmpty()) {
            return new CaseResult(rule.kernel(), rule.name(), c.name(), CaseResult.Status.SKIPPED,
                    "the backend lacks capability " + missing, List.of(), caseSeed, Duration.ZERO);
        }
        Instant start = Instant.now();
        List<ComparisonResult> comparisons = List.of();
        CaseResult.Status status;
        String message;
        try {
            comparisons = new ArrayList<>(Objects.requireNonNull(
                    c.body().run(new CaseContext(subject, reference, rule, c, caseSeed)), "case returned null"));
            if (comparisons.isEmpty()) {
                throw new IllegalStateException("case made no comparison");
            }
            ComparisonResult firstFailure = comparisons.stream().filter(r -> !r.passed()).findFirst().orElse(null);
            status = firstFailure == null ? CaseResult.Status.PASSED : CaseResult.Status.FAILED;
            message = firstFailure == null ? "" : firstFailure.describe();
        } catch (CaseSkippedException e) {
            status = CaseResult.Status.SKIPPED;
            message = e.getMessage();
        } catch (CaseContext.SubjectFailedException e) {
            status = CaseResult.Status.FAILED;
            message = e.getMessage();
        } catch (Exception | Error e) {
            status = CaseResult.Status.FAILED;
            message = "the case could not run: " + e;
        }
        return new CaseResult(rule.kernel(), rule.name(), c.name(), status, message, comparisons, caseSeed,
                Duration.between(start, Instant.now()));
    }

    /** Runs every case on {@code subject} against a new reference backend. */
    public CertificationReport run(Backend subject) {
        try (ReferenceBackend reference = new ReferenceBackend()) {
            return run(subject, reference, r -> { });
        }
    }

    /** Runs every case on {@code subject} against {@code reference}, reporting each result to the listener. */
    public CertificationReport run(Backend subject, Backend reference, Listener listener) {
        CertificationReport.Collector collector = CertificationReport.collector(this, subject, reference);
        for (Rule rule : rules) {
            for (Rule.Case c : rule.cases()) {
                CaseResult result = runCase(rule, c, subject, reference);
                collector.add(result);
                listener.caseFinished(result);
            }
        }
        return collector.finish();
    }
}
