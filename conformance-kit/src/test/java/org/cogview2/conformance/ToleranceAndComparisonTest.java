package org.cogview2.conformance;

import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

class ToleranceAndComparisonTest {

    @Test
    void ulpDistanceCountsRepresentableFloats() {
        assertEquals(0, Tolerance.ulpDistance(1f, 1f));
        assertEquals(0, Tolerance.ulpDistance(0f, -0f));
        assertEquals(1, Tolerance.ulpDistance(1f, Math.nextUp(1f)));
        assertEquals(2, Tolerance.ulpDistance(-Float.MIN_VALUE, Float.MIN_VALUE));
        assertEquals(1L << 23, Tolerance.ulpDistance(1f, 2f));
        assertEquals(Long.MAX_VALUE, Tolerance.ulpDistance(Float.NaN, 1f));
    }

    @Test
    void aValuePassesWithinUlpsOrWithinAbsPlusRel() {
        Tolerance t = Tolerance.of(4, 1e-6, 1e-3);
        assertTrue(t.accepts(Math.nextUp(Math.nextUp(100f)), 100f), "2 ulps");
        assertTrue(t.accepts(100.09f, 100f), "|err| 0.09 <= 1e-6 + 0.1");
        assertFalse(t.accepts(100.2f, 100f));
        assertTrue(t.accepts(5e-7f, 0f), "abs");
        assertFalse(t.accepts(1e-5f, 0f));
        assertTrue(t.accepts(Float.NaN, Float.NaN));
        assertFalse(t.accepts(Float.NaN, 1f));
        assertTrue(t.accepts(Float.NEGATIVE_INFINITY, Float.NEGATIVE_INFINITY));
        assertFalse(t.accepts(-Float.MAX_VALUE, Float.NEGATIVE_INFINITY), "an infinity must be matched exactly");
        assertTrue(Tolerance.EXACT.accepts(-0f, 0f));
        assertFalse(Tolerance.EXACT.accepts(Math.nextUp(1f), 1f));
        assertEquals("exact", Tolerance.EXACT.describe());
        assertEquals("<= 64 ulps or |got-want| <= 1e-05 + 1e-05*|want|", Tolerance.of(64, 1e-5, 1e-5).describe());
    }

    @Test
    void aFailedComparisonNamesTheWorstElementAndBothValues() {
        float[] want = {1, 2, 3, 4, 5, 6};
        float[] got = {1, 2, 3, 4, 5.001f, 6.5f};
        ComparisonResult r = Comparison.floats("layerNorm output", new int[]{2, 3}, want, got, Tolerance.of(4, 1e-5, 1e-5));
        assertFalse(r.passed());
        assertEquals(2, r.mismatches());
        assertEquals(5, r.worstIndex());
        assertArrayEquals(new int[]{1, 2}, r.worstCoordinates());
        assertEquals(6.5, r.got());
        assertEquals(6.0, r.want());
        assertEquals(0.5, r.maxAbsError(), 1e-9);
        String text = r.describe();
        assertTrue(text.startsWith("layerNorm output: FAILED, 2 of 6 elements outside tolerance"), text);
        assertTrue(text.contains("worst at index 5 [1, 2]: got 6.5 want 6.0"), text);
    }

    @Test
    void aPassedComparisonReportsItsLargestErrors() {
        ComparisonResult r = Comparison.floats("x", new int[]{3}, new float[]{1, 2, 3},
                new float[]{1, Math.nextUp(2f), 3}, Tolerance.of(2, 0, 0));
        assertTrue(r.passed());
        assertEquals(1, r.maxUlps());
        assertEquals(1, r.worstIndex());
        assertTrue(r.describe().startsWith("x: OK, 3 elements"), r.describe());
        ComparisonResult same = Comparison.floats("x", new int[]{1}, new float[]{Float.NaN}, new float[]{Float.NaN}, Tolerance.EXACT);
        assertTrue(same.passed());
        assertEquals(-1, same.worstIndex());
    }

    @Test
    void integersAndShapesAreComparedExactly() {
        ComparisonResult ok = Comparison.ints("ids", new int[]{3}, new int[]{1, 2, 3}, new int[]{1, 2, 3});
        assertTrue(ok.passed());
        ComparisonResult bad = Comparison.ints("ids", new int[]{2, 2}, new int[]{1, 2, 3, 4}, new int[]{1, 2, 9, 4});
        assertFalse(bad.passed());
        assertEquals(2, bad.worstIndex());
        assertTrue(bad.describe().contains("worst at index 2 [1, 0]: got 9 want 3"), bad.describe());
        ComparisonResult shape = Comparison.shapes("out", new int[]{2, 3}, new int[]{3, 2});
        assertFalse(shape.passed());
        assertTrue(shape.describe().contains("shape [3, 2] where [2, 3] was expected"), shape.describe());
        ComparisonResult count = Comparison.floats("out", new int[]{2}, new float[2], new float[3], Tolerance.EXACT);
        assertFalse(count.passed());
    }
}
