package org.cogview2.conformance;

import java.util.Arrays;

/**
 * Element-wise comparison of computed and expected arrays, shared by the kernel rules and the golden-case runner.
 * Floats are compared with a {@link Tolerance}; integers exactly.
 */
public final class Comparison {

    private Comparison() {
    }

    /** Compares fp32 values of the given (expected) shape. */
    public static ComparisonResult floats(String label, int[] shape, float[] want, float[] got, Tolerance tolerance) {
        String problem = countProblem(shape, want.length, got.length);
        if (problem != null) {
            return ComparisonResult.structural(label, shape, tolerance, problem);
        }
        long mismatches = 0;
        int worst = -1;
        double worstExcess = 0;
        double maxAbs = 0;
        long maxUlps = 0;
        for (int i = 0; i < want.length; i++) {
            double excess = tolerance.excess(got[i], want[i]);
            if (excess > 1) {
                mismatches++;
            }
            if (excess > worstExcess) {
                worstExcess = excess;
                worst = i;
            }
            if (!Float.isNaN(got[i]) && !Float.isNaN(want[i]) && !Float.isInfinite(got[i]) && !Float.isInfinite(want[i])) {
                maxAbs = Math.max(maxAbs, Math.abs((double) got[i] - want[i]));
                maxUlps = Math.max(maxUlps, Tolerance.ulpDistance(got[i], want[i]));
            }
        }
        if (worst < 0) {
            return new ComparisonResult(label, true, shape, want.length, 0, -1, new int[0], Double.NaN, Double.NaN,
                    0, 0, 0, 0, 0, tolerance, false, null);
        }
        float g = got[worst];
        float w = want[worst];
        return new ComparisonResult(label, mismatches == 0, shape, want.length, mismatches, worst,
                coordinates(shape, worst), g, w, Math.abs((double) g - w), Tolerance.ulpDistance(g, w),
                maxAbs, maxUlps, worstExcess, tolerance, false, null);
    }

    /** Compares integers exactly; the worst element is the one with the largest absolute difference. */
    public static ComparisonResult ints(String label, int[] shape, int[] want, int[] got) {
        String problem = countProblem(shape, want.length, got.length);
        if (problem != null) {
            return ComparisonResult.structural(label, shape, Tolerance.EXACT, problem);
        }
        long mismatches = 0;
        int worst = -1;
        long worstDiff = 0;
        for (int i = 0; i < want.length; i++) {
            long diff = Math.abs((long) got[i] - want[i]);
            if (diff != 0) {
                mismatches++;
                if (diff > worstDiff) {
                    worstDiff = diff;
                    worst = i;
                }
            }
        }
        if (worst < 0) {
            return new ComparisonResult(label, true, shape, want.length, 0, -1, new int[0], Double.NaN, Double.NaN,
                    0, 0, 0, 0, 0, Tolerance.EXACT, true, null);
        }
        return new ComparisonResult(label, false, shape, want.length, mismatches, worst, coordinates(shape, worst),
                got[worst], want[worst], worstDiff, worstDiff, worstDiff, worstDiff, Double.POSITIVE_INFINITY,
                Tolerance.EXACT, true, null);
    }

    /** Compares two shapes; the result fails naming both if they differ. */
    public static ComparisonResult shapes(String label, int[] want, int[] got) {
        if (Arrays.equals(want, got)) {
            return new ComparisonResult(label, true, want, 0, 0, -1, new int[0], Double.NaN, Double.NaN, 0, 0, 0, 0,
                    0, Tolerance.EXACT, true, null);
        }
        return ComparisonResult.structural(label, want, Tolerance.EXACT,
                "shape " + Arrays.toString(got) + " where " + Arrays.toString(want) + " was expected");
    }

    /** The multi-dimensional index of flat index {@code flat} in a row-major array of {@code shape}. */
    public static int[] coordinates(int[] shape, long flat) {
        int[] index = new int[shape.length];
        long rest = flat;
        for (int axis = shape.length - 1; axis >= 0; axis--) {
            int size = Math.max(1, shape[axis]);
            index[axis] = (int) (rest % size);
            rest /= size;
        }
        return index;
    }

    private static String countProblem(int[] shape, int wantLength, int gotLength) {
        long count = 1;
        for (int d : shape) {
            count *= d;
        }
        if (count != wantLength) {
            return "expected values hold " + wantLength + " elements but the shape " + Arrays.toString(shape)
                    + " has " + count;
        }
        if (gotLength != wantLength) {
            return gotLength + " elements where " + wantLength + " (shape " + Arrays.toString(shape) + ") were expected";
        }
        return null;
    }
}
