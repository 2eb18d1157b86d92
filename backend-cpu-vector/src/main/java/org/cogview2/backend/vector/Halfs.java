package org.cogview2.backend.vector;

import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.IntVector;
import jdk.incubator.vector.ShortVector;
import jdk.incubator.vector.VectorMask;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorSpecies;
import org.cogview2.spi.DType;

import java.lang.foreign.MemorySegment;
import java.nio.ByteOrder;

/**
 * fp16/bf16 to fp32 widening (exact) and fp32 to fp16/bf16 narrowing (round to nearest even). The array loops are
 * written so that C2 compiles them to vector conversions ({@code vcvtph2ps}, shifts).
 */
final class Halfs {

    private Halfs() {
    }

    static float widen(short bits, DType dtype) {
        return dtype == DType.BF16 ? Float.intBitsToFloat(bits << 16) : Float.float16ToFloat(bits);
    }

    /** 16-bit lanes matching the fp32 vector (half its width). */
    private static final VectorSpecies<Short> HALF = ShortVector.SPECIES_PREFERRED.withShape(
            jdk.incubator.vector.VectorShape.forBitSize(Simd.L * 16));

    /**
     * Widens {@link Simd#L} 16-bit patterns (sign-extended into int lanes) exactly. binary16: the magnitude bits
     * shifted into an fp32 and scaled by 2^112 give every normal and subnormal value exactly; infinities and NaNs
     * (exponent 31) get exponent 255 and their mantissa (NaNs quieted); then the sign. bfloat16: the bits shifted left by 16.
     */
    static FloatVector widen(IntVector h, DType dtype) {
        if (dtype == DType.BF16) {
            return h.lanewise(VectorOperators.LSHL, 16).reinterpretAsFloats();
        }
        IntVector sign = h.and(0x8000).lanewise(VectorOperators.LSHL, 16);
        IntVector mag = h.and(0x7FFF);
        IntVector finite = mag.lanewise(VectorOperators.LSHL, 13).reinterpretAsFloats().mul(0x1p112f)
                .reinterpretAsInts();
        VectorMask<Integer> special = mag.compare(VectorOperators.GE, 0x7C00);
        IntVector mant = h.and(0x3FF);
        // Infinity, or a NaN with its payload and the quiet bit set (as Float.float16ToFloat does).
        IntVector inf = mant.lanewise(VectorOperators.LSHL, 13).or(0x7F800000);
        IntVector nonFinite = inf.blend(inf.or(0x00400000), mant.compare(VectorOperators.NE, 0));
        IntVector bits = finite.blend(nonFinite, special);
        return bits.or(sign).reinterpretAsFloats();
    }

    /** Whether 16-bit lanes line up with the fp32 vector (then the kernels widen in registers). */
    static final boolean VECTOR_WIDEN = HALF.length() == Simd.L && Simd.I.length() == Simd.L;

    /** {@link Simd#L} widened elements {@code src[off ..]} (requires {@link #VECTOR_WIDEN}). */
    static FloatVector load(short[] src, int off, DType dtype) {
        return widen(lanes(ShortVector.fromArray(HALF, src, off)), dtype);
    }

    private static IntVector lanes(ShortVector s) {
        return (IntVector) s.convertShape(VectorOperators.S2I, Simd.I, 0);
    }

    /**
     * {@code dst[dstOff + i] = widen(src[srcOff + i])} for i in {@code [0, n)}. binary16 takes the plain loop over
     * {@link Float#float16ToFloat}, which C2 compiles to hardware conversions ({@code vcvtph2ps}, faster than any
     * Vector API formulation); bfloat16 takes the vector shift.
     */
    static void widen(short[] src, int srcOff, float[] dst, int dstOff, int n, DType dtype) {
        if (dtype != DType.BF16 || !VECTOR_WIDEN) {
            widenScalar(src, srcOff, dst, dstOff, n, dtype);
            return;
        }
        int i = 0;
        for (int bound = n - n % Simd.L; i < bound; i += Simd.L) {
            widen(lanes(ShortVector.fromArray(HALF, src, srcOff + i)), dtype).intoArray(dst, dstOff + i);
        }
        for (; i < n; i++) {
            dst[dstOff + i] = widen(src[srcOff + i], dtype);
        }
    }

    private static final int CHUNK = 4096;
    private static final ThreadLocal<short[]> CHUNKS = ThreadLocal.withInitial(() -> new short[CHUNK]);

    /** As {@link #widen(short[], int, float[], int, int, DType)} from little-endian elements of a segment. */
    static void widen(MemorySegment src, long fromElement, float[] dst, int dstOff, int n, DType dtype) {
        if (dtype == DType.BF16 && VECTOR_WIDEN) {
            int i = 0;
            for (int bound = n - n % Simd.L; i < bound; i += Simd.L) {
                widen(lanes(ShortVector.fromMemorySegment(HALF, src, (fromElement + i) * 2, ByteOrder.LITTLE_ENDIAN)),
                        dtype).intoArray(dst, dstOff + i);
            }
            for (; i < n; i++) {
                dst[dstOff + i] = widen(src.get(Store.LE_SHORT, (fromElement + i) * 2), dtype);
            }
            return;
        }
        short[] chunk = CHUNKS.get();
        for (int i = 0; i < n; i += CHUNK) {
            int len = Math.min(CHUNK, n - i);
            MemorySegment.copy(src, Store.LE_SHORT, (fromElement + i) * 2, chunk, 0, len);
            widenScalar(chunk, 0, dst, dstOff + i, len, dtype);
        }
    }

    /** The plain loops (C2 vectorises the binary16 one with hardware conversions). */
    static void widenScalar(short[] src, int srcOff, float[] dst, int dstOff, int n, DType dtype) {
        if (dtype == DType.BF16) {
            for (int i = 0; i < n; i++) {
                dst[dstOff + i] = Float.intBitsToFloat(src[srcOff + i] << 16);
            }
        } else {
            for (int i = 0; i < n; i++) {
                dst[dstOff + i] = Float.float16ToFloat(src[srcOff + i]);
            }
        }
    }

    static short narrow(float value, DType dtype) {
        if (dtype != DType.BF16) {
            return Float.floatToFloat16(value);
        }
        int bits = Float.floatToRawIntBits(value);
        if (Float.isNaN(value)) {
            return (short) ((bits >>> 16) | 0x0040);
        }
        return (short) ((bits + 0x7FFF + ((bits >>> 16) & 1)) >>> 16);
    }

    /**
     * Reads {@code n} contiguous elements starting at element {@code from} of a store, widened to fp32 into
     * {@code dst[dstOff..]}. Works for every floating store.
     */
    static void read(Store store, long from, float[] dst, int dstOff, int n) {
        switch (store) {
            case Store.F32 s -> System.arraycopy(s.a(), (int) from, dst, dstOff, n);
            case Store.Half s -> widen(s.a(), (int) from, dst, dstOff, n, s.dtype());
            case Store.Mapped m -> {
                MemorySegment seg = m.segment();
                switch (m.dtype()) {
                    case F32 -> MemorySegment.copy(seg, Store.LE_FLOAT, from * 4, dst, dstOff, n);
                    case F16, BF16 -> widen(seg, from, dst, dstOff, n, m.dtype());
                    default -> throw new IllegalArgumentException("an " + m.dtype() + " tensor holds no floating-point values");
                }
            }
            default -> throw new IllegalArgumentException("an " + store.dtype() + " tensor holds no floating-point values");
        }
    }
}
