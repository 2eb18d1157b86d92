package org.cogview2.conformance.golden;

import org.cogview2.conformance.ComparisonResult;

import java.util.Comparator;
import java.util.List;
import java.util.Locale;

/**
 * The result of one golden case: every output comparison, or why it could not run.
 *
 * @param problem null when the case ran; otherwise why it failed without comparisons ({@code unsupported kind},
 *                an exception message)
 */
public record CaseOutcome(String name, String kind, List<ComparisonResult> comparisons, String problem) {

    public CaseOutcome {
        comparisons = List.copyOf(comparisons);
    }

    public boolean passed() {
        return problem == null && !comparisons.isEmpty() && comparisons.stream().allMatch(ComparisonResult::passed);
    }

    /** The comparison closest to (or furthest past) its tolerance. */
    public ComparisonResult worst() {
        return comparisons.stream()
                .max(Comparator.comparing((ComparisonResult c) -> !c.passed()).thenComparingDouble(CaseOutcome::share))
                .orElse(null);
    }

    private static double share(ComparisonResult c) {
        if (c.integral() || Double.isNaN(c.absError())) {
            return 0;
        }
        double allowed = c.tolerance().abs() + c.tolerance().rel() * Math.abs(c.want());
        return allowed > 0 ? c.absError() / allowed : (c.absError() > 0 ? Double.POSITIVE_INFINITY : 0);
    }

    /** {@code name  kind  worst <error> (<tolerance>) on <output>  PASS|FAIL}. */
    public String line() {
        String verdict = passed() ? "PASS" : "FAIL";
        if (problem != null) {
            return String.format(Locale.ROOT, "%-36s %-18s %s  %s", name, kind, problem, verdict);
        }
        ComparisonResult w = worst();
        String detail;
        if (w == null) {
            detail = "no outputs compared";
        } else if (!w.passed()) {
            detail = w.describe();
        } else if (w.integral()) {
            detail = "all " + comparisons.size() + " outputs exact (worst: " + w.label() + ")";
        } else {
            detail = String.format(Locale.ROOT, "worst %.2e (tolerance %s) on %s", w.maxAbsError(), w.tolerance().describe(), w.label());
        }
        return String.format(Locale.ROOT, "%-36s %-18s %s  %s", name, kind, detail, verdict);
    }
}
