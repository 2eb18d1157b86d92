package org.cogview2.conformance;

import org.cogview2.backend.reference.ReferenceBackend;
import org.cogview2.conformance.rules.StandardRules;
import org.cogview2.spi.Backend;
import org.cogview2.spi.Capability;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.LinkedHashSet;
import java.util.List;
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

    private ConformanceSuite(List<Rule> rules, long seed) {
        this.rules = List.copyOf(rules);
        this.seed = seed;
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
        return new ConformanceSuite(rules, newSeed);
    }

    /** Only the rules matching {@code filter}. */
    public ConformanceSuite filter(Predicate<Rule> filter) {
        return new ConformanceSuite(rules.stream().filter(filter).toList(), seed);
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
