package org.cogview2.conformance;

import java.util.Arrays;
import java.util.Locale;

/**
 * The outcome of comparing one output array with its expected values.
 *
 * @param label         what was compared, e.g. {@code "layerNorm_... [x[3,63]] output 0"}
 * @param passed        whether every element is within the tolerance (and the shapes agree)
 * @param shape         the expected shape
 * @param elements      number of elements compared
 * @param mismatches    number of elements outside the tolerance
 * @param worstIndex    flat index of the element using the largest share of the tolerance, or -1 if all are equal
 * @param worstCoordinates {@code worstIndex} as a multi-dimensional index of {@code shape} (empty if none)
 * @param got           the computed value at {@code worstIndex} (NaN if none)
 * @param want          the expected value at {@code worstIndex} (NaN if none)
 * @param absError      {@code |got - want|} at {@code worstIndex}
 * @param ulps          ULP distance at {@code worstIndex} (for integer outputs: the absolute difference)
 * @param maxAbsError   the largest {@code |got - want|} over all elements (NaN/infinity mismatches excluded)
 * @param maxUlps       the largest ULP distance over all elements (NaN/infinity mismatches excluded)
 * @param toleranceUsed the largest share of the tolerance any element uses ({@link Tolerance#excess}): 0 when all
 *                      values are equal, at most 1 when the comparison passes
 * @param tolerance     the tolerance applied ({@link Tolerance#EXACT} for integers)
 * @param integral      whether integer values were compared
 * @param problem       a structural problem (shape or dtype mismatch), or null
 */
public record ComparisonResult(String label, boolean passed, int[] shape, long elements, long mismatches,
                               long worstIndex, int[] worstCoordinates, double got, double want, double absError,
                               long ulps, double maxAbsError, long maxUlps, double toleranceUsed, Tolerance tolerance, boolean integral,
                               String problem) {

    /** A failed comparison that could not look at values at all (shape, dtype or count mismatch). */
    public static ComparisonResult structural(String label, int[] shape, Tolerance tolerance, String problem) {
        return new ComparisonResult(label, false, shape, 0, 0, -1, new int[0], Double.NaN, Double.NaN, Double.NaN,
                0, Double.NaN, 0, Double.POSITIVE_INFINITY, tolerance, false, problem);
    }

    /**
     * One line: {@code label: OK, 189 elements, max |err| 2.4e-07, max 3 ulps (tolerance ...)} or
     * {@code label: FAILED, 1 of 189 elements outside tolerance (...); worst at index 5 [0, 5]: got 0.4837 want 0.4827
     * (|err| 1.0e-03, 8389 ulps)}.
     */
    public String describe() {
        if (problem != null) {
            return label + ": FAILED, " + problem;
        }
        String tol = integral ? "exact" : tolerance.describe();
        if (passed) {
            return label + ": OK, " + elements + " elements, max |err| " + sci(maxAbsError)
                    + (integral ? "" : ", max " + maxUlps + " ulps, " + percent(toleranceUsed) + " of the tolerance used")
                    + " (tolerance " + tol + ")";
        }
        return label + ": FAILED, " + mismatches + " of " + elements + " elements outside tolerance (" + tol
                + "); worst at index " + worstIndex + " " + Arrays.toString(worstCoordinates) + ": got "
                + value(got) + " want " + value(want) + " (|err| " + sci(absError)
                + (integral ? "" : ", " + (ulps == Long.MAX_VALUE ? "NaN" : String.valueOf(ulps)) + " ulps") + ")";
    }

    private String value(double v) {
        if (integral) {
            return String.valueOf((long) v);
        }
        return Float.toString((float) v);
    }

    /** A share of the tolerance as a percentage, e.g. {@code 12.5%}. */
    static String percent(double share) {
        return Double.isInfinite(share) ? "inf" : String.format(Locale.ROOT, "%.1f%%", 100 * share);
    }

    private static String sci(double v) {
        return Double.isNaN(v) ? "n/a" : String.format(Locale.ROOT, "%.2e", v);
    }

    @Override
    public String toString() {
        return describe();
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof ComparisonResult other && describe().equals(other.describe());
    }

    @Override
    public int hashCode() {
        return describe().hashCode();
    }
}
