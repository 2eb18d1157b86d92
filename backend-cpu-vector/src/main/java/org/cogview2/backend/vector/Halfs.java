package org.cogview2.backend.vector;

import org.cogview2.spi.DType;

import java.lang.foreign.MemorySegment;

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

    /** {@code dst[dstOff + i] = widen(src[srcOff + i])} for i in {@code [0, n)}. */
    static void widen(short[] src, int srcOff, float[] dst, int dstOff, int n, DType dtype) {
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

    /** Per-thread scratch for 16-bit elements copied out of a mapped segment. */
    private static final ThreadLocal<short[][]> SHORTS = ThreadLocal.withInitial(() -> new short[][]{new short[1024]});

    static short[] shortScratch(int n) {
        short[][] holder = SHORTS.get();
        if (holder[0].length < n) {
            holder[0] = new short[Math.max(n, holder[0].length * 2)];
        }
        return holder[0];
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
                    case F16, BF16 -> {
                        short[] tmp = shortScratch(n);
                        MemorySegment.copy(seg, Store.LE_SHORT, from * 2, tmp, 0, n);
                        widen(tmp, 0, dst, dstOff, n, m.dtype());
                    }
                    default -> throw new IllegalArgumentException("an " + m.dtype() + " tensor holds no floating-point values");
                }
            }
            default -> throw new IllegalArgumentException("an " + store.dtype() + " tensor holds no floating-point values");
        }
    }
}
