package org.cogview2.conformance;

import java.time.Duration;
import java.util.List;

/**
 * The outcome of one case of one rule.
 *
 * @param kernel      the kernel
 * @param rule        the rule name
 * @param caseName    the case
 * @param status      passed, failed or skipped
 * @param message     for a failure: what failed (the first failing comparison or the exception); for a skip: why
 * @param comparisons every comparison made
 * @param seed        the seed of the case's random inputs
 * @param duration    how long it took on both backends
 */
public record CaseResult(String kernel, String rule, String caseName, Status status, String message,
                         List<ComparisonResult> comparisons, long seed, Duration duration) {

    public enum Status { PASSED, FAILED, SKIPPED }

    public CaseResult {
        comparisons = List.copyOf(comparisons);
    }

    public boolean passed() {
        return status == Status.PASSED;
    }

    public boolean failed() {
        return status == Status.FAILED;
    }

    public boolean skipped() {
        return status == Status.SKIPPED;
    }

    /** The largest absolute error of all float comparisons (0 if none). */
    public double maxAbsError() {
        return comparisons.stream().filter(c -> !c.integral() && c.problem() == null)
                .mapToDouble(ComparisonResult::maxAbsError).max().orElse(0);
    }

    /** The largest ULP distance of all float comparisons (0 if none). */
    public long maxUlps() {
        return comparisons.stream().filter(c -> !c.integral() && c.problem() == null)
                .mapToLong(ComparisonResult::maxUlps).max().orElse(0);
    }

    /** The largest share of its tolerance any comparison used (0: all equal; above 1: failed). */
    public double toleranceUsed() {
        return comparisons.stream().mapToDouble(ComparisonResult::toleranceUsed).max().orElse(0);
    }

    /** One line naming kernel, rule, case and outcome, e.g. for a failing dynamic test. */
    public String describe() {
        String where = kernel + ": rule " + rule + ", case " + caseName;
        return switch (status) {
            case PASSED -> where + ": passed";
            case SKIPPED -> where + ": skipped, " + message;
            case FAILED -> where + ": " + message + " [seed " + seed + "]";
        };
    }
}
