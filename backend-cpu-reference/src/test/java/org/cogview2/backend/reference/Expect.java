package org.cogview2.backend.reference;

import java.util.Arrays;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.fail;

/** Assertions on float arrays with element-level messages. */
final class Expect {

    private Expect() {
    }

    /** Every element within {@code |got - want| <= abs + rel * |want|} (NaN matches NaN, infinities must be equal). */
    static void close(float[] want, float[] got, double abs, double rel, String what) {
        assertEquals(want.length, got.length, what + ": element count");
        for (int i = 0; i < want.length; i++) {
            float w = want[i];
            float g = got[i];
            boolean ok = Float.isNaN(w) ? Float.isNaN(g)
                    : Float.isInfinite(w) ? w == g
                    : Math.abs((double) g - w) <= abs + rel * Math.abs(w);
            if (!ok) {
                fail(what + ": element " + i + " got " + g + " want " + w + " (|diff| " + Math.abs((double) g - w) + ")");
            }
        }
    }

    /** Bit-identical (also -0.0 vs 0.0 and NaN payloads). */
    static void bitwise(float[] want, float[] got, String what) {
        assertEquals(want.length, got.length, what + ": element count");
        for (int i = 0; i < want.length; i++) {
            if (Float.floatToRawIntBits(want[i]) != Float.floatToRawIntBits(got[i])) {
                fail(what + ": element " + i + " got " + got[i] + " want " + want[i]);
            }
        }
    }

    static void exact(float[] want, float[] got) {
        if (!Arrays.equals(want, got)) {
            fail("want " + Arrays.toString(want) + "\n but got " + Arrays.toString(got));
        }
    }
}
