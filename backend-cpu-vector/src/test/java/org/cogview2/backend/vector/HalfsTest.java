package org.cogview2.backend.vector;

import org.cogview2.spi.DType;
import org.junit.jupiter.api.Test;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;

import static org.junit.jupiter.api.Assertions.assertEquals;

/** The vector widening of 16-bit floats is exact for all 65536 bit patterns (subnormals, infinities, NaNs). */
class HalfsTest {

    @Test
    void everyPatternWidensExactlyFromArraysAndSegments() {
        short[] all = new short[1 << 16];
        for (int i = 0; i < all.length; i++) {
            all[i] = (short) i;
        }
        for (DType dtype : new DType[]{DType.F16, DType.BF16}) {
            float[] fromArray = new float[all.length];
            Halfs.widen(all, 0, fromArray, 0, all.length, dtype);
            float[] fromSegment = new float[all.length];
            try (Arena arena = Arena.ofConfined()) {
                MemorySegment seg = arena.allocate(2L * all.length, 2);
                for (int i = 0; i < all.length; i++) {
                    seg.set(Store.LE_SHORT, 2L * i, all[i]);
                }
                Halfs.widen(seg, 0, fromSegment, 0, all.length, dtype);
            }
            for (int i = 0; i < all.length; i++) {
                float want = dtype == DType.F16 ? Float.float16ToFloat(all[i]) : Float.intBitsToFloat(i << 16);
                assertEquals(Float.floatToRawIntBits(want), Float.floatToRawIntBits(fromArray[i]), dtype + " " + i);
                assertEquals(Float.floatToRawIntBits(want), Float.floatToRawIntBits(fromSegment[i]), dtype + " " + i);
            }
        }
    }
}
