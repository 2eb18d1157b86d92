package org.cogview2.backend.reference;

import org.cogview2.spi.DType;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteOrder;

/**
 * The memory behind a tensor: a heap array owned by the backend, or a memory-mapped segment used in place.
 *
 * <p>Every storage is a flat run of elements of one {@link DType}; tensors address it with an element offset
 * (views share one storage). Reads widen to fp32 or int on the fly; writes are only possible into heap storage.
 */
sealed interface Storage {

    ValueLayout.OfFloat LE_FLOAT = ValueLayout.JAVA_FLOAT_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);
    ValueLayout.OfShort LE_SHORT = ValueLayout.JAVA_SHORT_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);
    ValueLayout.OfInt LE_INT = ValueLayout.JAVA_INT_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);
    ValueLayout.OfLong LE_LONG = ValueLayout.JAVA_LONG_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);

    DType dtype();

    /** Whether the backend allocated this memory (counted in {@code MemoryStats}); mapped segments are not. */
    boolean owned();

    /** Bytes the backend allocated for it (0 for a mapped segment). */
    default long allocatedBytes(long elements) {
        return owned() ? elements * dtype().byteSize() : 0;
    }

    /**
     * The backing heap array ({@code float[]}, {@code short[]}, {@code int[]} or {@code long[]}) or null for a
     * mapped segment. Layout kernels copy between arrays of the same type with {@link System#arraycopy}.
     */
    Object array();

    /** Copies {@code n} elements starting at {@code from}, widened to fp32 (floating types only). */
    void readFloats(long from, float[] dst, int dstOffset, int n);

    /** Copies {@code n} elements starting at {@code from} as ints (integer types only; I64 must fit an int). */
    void readInts(long from, int[] dst, int dstOffset, int n);

    /** A new heap storage with the same dtype holding a copy of elements {@code [from, from + n)}. */
    Storage copyToHeap(long from, int n);

    // ------------------------------------------------------------------ heap storages

    /** fp32 on the heap: every activation. */
    record F32(float[] values) implements Storage {
        public DType dtype() {
            return DType.F32;
        }

        public boolean owned() {
            return true;
        }

        public Object array() {
            return values;
        }

        public void readFloats(long from, float[] dst, int dstOffset, int n) {
            System.arraycopy(values, Math.toIntExact(from), dst, dstOffset, n);
        }

        public void readInts(long from, int[] dst, int dstOffset, int n) {
            throw new IllegalArgumentException("an F32 tensor holds no integers");
        }

        public Storage copyToHeap(long from, int n) {
            float[] copy = new float[n];
            System.arraycopy(values, Math.toIntExact(from), copy, 0, n);
            return new F32(copy);
        }
    }

    /** IEEE binary16 or bfloat16 bit patterns on the heap (results of {@code cast}, {@code zeros}, copies). */
    record Half(short[] bits, DType dtype) implements Storage {
        public boolean owned() {
            return true;
        }

        public Object array() {
            return bits;
        }

        public void readFloats(long from, float[] dst, int dstOffset, int n) {
            int start = Math.toIntExact(from);
            for (int i = 0; i < n; i++) {
                dst[dstOffset + i] = HalfFloats.widen(bits[start + i], dtype);
            }
        }

        public void readInts(long from, int[] dst, int dstOffset, int n) {
            throw new IllegalArgumentException("an " + dtype + " tensor holds no integers");
        }

        public Storage copyToHeap(long from, int n) {
            short[] copy = new short[n];
            System.arraycopy(bits, Math.toIntExact(from), copy, 0, n);
            return new Half(copy, dtype);
        }
    }

    /** 32-bit integers on the heap (token ids, targets, indices). */
    record I32(int[] values) implements Storage {
        public DType dtype() {
            return DType.I32;
        }

        public boolean owned() {
            return true;
        }

        public Object array() {
            return values;
        }

        public void readFloats(long from, float[] dst, int dstOffset, int n) {
            throw new IllegalArgumentException("an I32 tensor holds no floating-point values");
        }

        public void readInts(long from, int[] dst, int dstOffset, int n) {
            System.arraycopy(values, Math.toIntExact(from), dst, dstOffset, n);
        }

        public Storage copyToHeap(long from, int n) {
            int[] copy = new int[n];
            System.arraycopy(values, Math.toIntExact(from), copy, 0, n);
            return new I32(copy);
        }
    }

    /** 64-bit integers on the heap. */
    record I64(long[] values) implements Storage {
        public DType dtype() {
            return DType.I64;
        }

        public boolean owned() {
            return true;
        }

        public Object array() {
            return values;
        }

        public void readFloats(long from, float[] dst, int dstOffset, int n) {
            throw new IllegalArgumentException("an I64 tensor holds no floating-point values");
        }

        public void readInts(long from, int[] dst, int dstOffset, int n) {
            int start = Math.toIntExact(from);
            for (int i = 0; i < n; i++) {
                dst[dstOffset + i] = narrow(values[start + i], from + i);
            }
        }

        public Storage copyToHeap(long from, int n) {
            long[] copy = new long[n];
            System.arraycopy(values, Math.toIntExact(from), copy, 0, n);
            return new I64(copy);
        }
    }

    // ------------------------------------------------------------------ mapped storage

    /**
     * Little-endian elements in a memory-mapped segment (a checkpoint tensor), used in place: nothing is copied
     * and nothing is counted as allocated. The segment must stay alive as long as the tensor is used.
     */
    record Mapped(MemorySegment segment, DType dtype) implements Storage {
        public boolean owned() {
            return false;
        }

        public Object array() {
            return null;
        }

        public void readFloats(long from, float[] dst, int dstOffset, int n) {
            switch (dtype) {
                case F32 -> MemorySegment.copy(segment, LE_FLOAT, from * 4, dst, dstOffset, n);
                case F16, BF16 -> {
                    for (int i = 0; i < n; i++) {
                        dst[dstOffset + i] = HalfFloats.widen(segment.get(LE_SHORT, (from + i) * 2), dtype);
                    }
                }
                default -> throw new IllegalArgumentException("an " + dtype + " tensor holds no floating-point values");
            }
        }

        public void readInts(long from, int[] dst, int dstOffset, int n) {
            switch (dtype) {
                case I32 -> MemorySegment.copy(segment, LE_INT, from * 4, dst, dstOffset, n);
                case I64 -> {
                    for (int i = 0; i < n; i++) {
                        dst[dstOffset + i] = narrow(segment.get(LE_LONG, (from + i) * 8), from + i);
                    }
                }
                default -> throw new IllegalArgumentException("an " + dtype + " tensor holds no integers");
            }
        }

        public Storage copyToHeap(long from, int n) {
            return switch (dtype) {
                case F32 -> {
                    float[] copy = new float[n];
                    MemorySegment.copy(segment, LE_FLOAT, from * 4, copy, 0, n);
                    yield new F32(copy);
                }
                case F16, BF16 -> {
                    short[] copy = new short[n];
                    MemorySegment.copy(segment, LE_SHORT, from * 2, copy, 0, n);
                    yield new Half(copy, dtype);
                }
                case I32 -> {
                    int[] copy = new int[n];
                    MemorySegment.copy(segment, LE_INT, from * 4, copy, 0, n);
                    yield new I32(copy);
                }
                case I64 -> {
                    long[] copy = new long[n];
                    MemorySegment.copy(segment, LE_LONG, from * 8, copy, 0, n);
                    yield new I64(copy);
                }
            };
        }
    }

    // ------------------------------------------------------------------ factories

    /** A zero-filled heap storage of {@code n} elements. */
    static Storage allocate(DType dtype, int n) {
        return switch (dtype) {
            case F32 -> new F32(new float[n]);
            case F16, BF16 -> new Half(new short[n], dtype);
            case I32 -> new I32(new int[n]);
            case I64 -> new I64(new long[n]);
        };
    }

    private static int narrow(long value, long index) {
        if (value < Integer.MIN_VALUE || value > Integer.MAX_VALUE) {
            throw new IllegalArgumentException("I64 element " + index + " = " + value + " does not fit an int");
        }
        return (int) value;
    }
}
