package org.cogview2.backend.vector;

import org.cogview2.spi.DType;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteOrder;

/**
 * The elements behind a tensor: a heap array the backend allocated, or a memory-mapped segment used in place (a
 * checkpoint tensor: nothing is copied, nothing is counted, fp16/bf16 stay 16-bit and are widened inside the kernels).
 * Tensors address a store with an element offset; views share one store.
 */
sealed interface Store {

    ValueLayout.OfFloat LE_FLOAT = ValueLayout.JAVA_FLOAT_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);
    ValueLayout.OfShort LE_SHORT = ValueLayout.JAVA_SHORT_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);
    ValueLayout.OfInt LE_INT = ValueLayout.JAVA_INT_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);
    ValueLayout.OfLong LE_LONG = ValueLayout.JAVA_LONG_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);

    DType dtype();

    /** Bytes allocated by the backend for {@code elements} elements (0 for a mapped segment). */
    long allocatedBytes(long elements);

    /** fp32 activations and kernel outputs. */
    record F32(float[] a) implements Store {
        public DType dtype() {
            return DType.F32;
        }

        public long allocatedBytes(long elements) {
            return 4 * elements;
        }
    }

    /** binary16 or bfloat16 bit patterns on the heap. */
    record Half(short[] a, DType dtype) implements Store {
        public long allocatedBytes(long elements) {
            return 2 * elements;
        }
    }

    record I32(int[] a) implements Store {
        public DType dtype() {
            return DType.I32;
        }

        public long allocatedBytes(long elements) {
            return 4 * elements;
        }
    }

    record I64(long[] a) implements Store {
        public DType dtype() {
            return DType.I64;
        }

        public long allocatedBytes(long elements) {
            return 8 * elements;
        }
    }

    /** Little-endian elements of a memory-mapped segment, read in place. */
    record Mapped(MemorySegment segment, DType dtype) implements Store {
        public long allocatedBytes(long elements) {
            return 0;
        }
    }

    /** A zero-filled heap store. */
    static Store allocate(DType dtype, int n) {
        return switch (dtype) {
            case F32 -> new F32(new float[n]);
            case F16, BF16 -> new Half(new short[n], dtype);
            case I32 -> new I32(new int[n]);
            case I64 -> new I64(new long[n]);
        };
    }
}
