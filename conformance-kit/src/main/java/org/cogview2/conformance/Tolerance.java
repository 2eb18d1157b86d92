package org.cogview2.conformance;

import java.util.Locale;

/**
 * How far a computed fp32 value may be from the expected one: it passes if it is within {@code maxUlps} units in the
 * last place <em>or</em> if {@code |got - want| <= abs + rel * |want|}. {@link #EXACT} (all zero) demands equality
 * (+0.0 equals -0.0). NaN matches only NaN and an infinity only the same infinity, whatever the tolerance. Integer
 * outputs are always compared exactly.
 *
 * @param maxUlps largest accepted distance in units in the last place (0: none)
 * @param abs     absolute error always accepted
 * @param rel     error accepted relative to {@code |want|}
 */
public record Tolerance(long maxUlps, double abs, double rel) {

    /** Bit-for-bit equal values (up to the sign of zero). */
    public static final Tolerance EXACT = new Tolerance(0, 0, 0);

    public Tolerance {
        if (maxUlps < 0 || !(abs >= 0) || !(rel >= 0)) {
            throw new IllegalArgumentException("tolerance bounds must be non-negative: " + maxUlps + " ulps, abs " + abs + ", rel " + rel);
        }
    }

    public static Tolerance of(long maxUlps, double abs, double rel) {
        return new Tolerance(maxUlps, abs, rel);
    }

    /** Only the abs/rel bound (no ULP allowance), as the golden cases state it. */
    public static Tolerance absRel(double abs, double rel) {
        return new Tolerance(0, abs, rel);
    }

    public boolean isExact() {
        return maxUlps == 0 && abs == 0 && rel == 0;
    }

    /** Whether {@code got} is acceptable for {@code want}. */
    public boolean accepts(float got, float want) {
        return excess(got, want) <= 1;
    }

    /**
     * How much of the tolerance the error uses: 0 for equal values, at most 1 when accepted, above 1 (possibly
     * infinite) when rejected. It is the smaller of the ULP ratio and the abs/rel ratio.
     */
    public double excess(float got, float want) {
        if (Float.isNaN(got) || Float.isNaN(want)) {
            return Float.isNaN(got) && Float.isNaN(want) ? 0 : Double.POSITIVE_INFINITY;
        }
        if (got == want) {
            return 0;
        }
        if (Float.isInfinite(got) || Float.isInfinite(want)) {
            return Double.POSITIVE_INFINITY;
        }
        long ulps = ulpDistance(got, want);
        double ulpRatio = maxUlps == 0 ? Double.POSITIVE_INFINITY : (double) ulps / maxUlps;
        double bound = abs + rel * Math.abs((double) want);
        double error = Math.abs((double) got - (double) want);
        double absRatio = bound == 0 ? Double.POSITIVE_INFINITY : error / bound;
        return Math.min(ulpRatio, absRatio);
    }

    /**
     * The number of representable fp32 values between a and b (0 for equal values, +0.0 and -0.0 included;
     * {@link Long#MAX_VALUE} if either is NaN).
     */
    public static long ulpDistance(float a, float b) {
        if (Float.isNaN(a) || Float.isNaN(b)) {
            return Long.MAX_VALUE;
        }
        return Math.abs(ordered(a) - ordered(b));
    }

    /** Maps floats to integers so that adjacent floats differ by 1 and -0.0 and +0.0 map to 0. */
    private static long ordered(float f) {
        int bits = Float.floatToRawIntBits(f);
        return bits >= 0 ? bits : -(long) (bits & 0x7FFFFFFF);
    }

    /** For reports: {@code exact} or {@code <= 64 ulps or |got-want| <= 1e-05 + 1e-05*|want|}. */
    public String describe() {
        if (isExact()) {
            return "exact";
        }
        StringBuilder sb = new StringBuilder();
        if (maxUlps > 0) {
            sb.append("<= ").append(maxUlps).append(" ulps");
        }
        if (abs > 0 || rel > 0) {
            if (!sb.isEmpty()) {
                sb.append(" or ");
            }
            sb.append("|got-want| <= ").append(format(abs));
            if (rel > 0) {
                sb.append(" + ").append(format(rel)).append("*|want|");
            }
        }
        return sb.toString();
    }

    private static String format(double v) {
        return String.format(Locale.ROOT, "%.0e", v);
    }

    @Override
    public String toString() {
        return describe();
    }
}
