package org.cogview2.backend.reference;

import org.cogview2.spi.DType;

/** Conversions between fp32 and the two 16-bit float formats. Widening is exact; narrowing rounds to nearest even. */
final class HalfFloats {

    private HalfFloats() {
    }

    /** The exact fp32 value of a binary16 or bfloat16 bit pattern. */
    static float widen(short bits, DType dtype) {
        return dtype == DType.BF16 ? Float.intBitsToFloat((bits & 0xFFFF) << 16) : Float.float16ToFloat(bits);
    }

    /** {@code value} rounded to binary16 or bfloat16, round-to-nearest-even (overflow to infinity, NaN kept). */
    static short narrow(float value, DType dtype) {
        return dtype == DType.BF16 ? toBfloat16(value) : Float.floatToFloat16(value);
    }

    /** Round-to-nearest-even fp32 to bfloat16: keep the top 16 bits, rounding on the dropped 16. */
    static short toBfloat16(float value) {
        int bits = Float.floatToRawIntBits(value);
        if (Float.isNaN(value)) {
            return (short) ((bits >>> 16) | 0x0040); // a quiet NaN with the same sign
        }
        int lsb = (bits >>> 16) & 1;
        int rounded = bits + 0x7FFF + lsb; // carries into the exponent correctly, up to infinity
        return (short) (rounded >>> 16);
    }
}
