package org.cogview2.checkpoint;

import org.cogview2.spi.DType;
import org.cogview2.spi.Shape;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteOrder;
import java.util.Arrays;
import java.util.Objects;

/**
 * A tensor of a checkpoint: its key, element type, shape and elements.
 *
 * <p>{@code data} holds the {@link #elementCount()} elements contiguously, row-major, little-endian. For a
 * contiguous tensor of a little-endian file (every state dict {@code torch.save} writes) it is a read-only,
 * zero-copy slice of the checkpoint's memory mapping: nothing is read from disk until it is accessed, and a
 * backend can upload straight from it. A non-contiguous view (or a tensor of a big-endian file) is copied once,
 * off-heap, when the checkpoint is opened. Either way the segment belongs to the {@link TorchCheckpoint} and
 * becomes invalid when it is closed.
 *
 * @param key   the dict key the tensor was found under ({@code transformer.word_embeddings.weight}); for a tensor
 *              not directly under a string key, its path in the pickled tree
 * @param dtype the element type
 * @param shape the dimensions, outermost first (a defensive copy is kept and returned)
 * @param data  the elements, {@code elementCount() * dtype.byteSize()} bytes
 */
public record StoredTensor(String key, DType dtype, int[] shape, MemorySegment data) {

    private static final ValueLayout.OfShort I16 = ValueLayout.JAVA_SHORT_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);
    private static final ValueLayout.OfFloat F32 = ValueLayout.JAVA_FLOAT_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);
    private static final ValueLayout.OfInt I32 = ValueLayout.JAVA_INT_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);
    private static final ValueLayout.OfLong I64 = ValueLayout.JAVA_LONG_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);
    /** Largest element count the array helpers return. */
    private static final long MAX_ARRAY = Integer.MAX_VALUE - 8;

    /** Validates that the data has exactly the size the shape and dtype call for. */
    public StoredTensor {
        Objects.requireNonNull(key, "key");
        Objects.requireNonNull(dtype, "dtype");
        Objects.requireNonNull(data, "data");
        shape = shape.clone();
        long count = 1;
        for (int d : shape) {
            if (d < 0) {
                throw new IllegalArgumentException("tensor " + key + ": negative dimension in " + Arrays.toString(shape));
            }
            count = Math.multiplyExact(count, (long) d);
        }
        if (data.byteSize() != Math.multiplyExact(count, (long) dtype.byteSize())) {
            throw new IllegalArgumentException("tensor " + key + ": " + data.byteSize() + " bytes of data for shape "
                    + Arrays.toString(shape) + " of " + dtype + " (" + count * dtype.byteSize() + " expected)");
        }
    }

    /** The dimensions (a copy). */
    @Override
    public int[] shape() {
        return shape.clone();
    }

    /** The dimensions as an SPI {@link Shape}. */
    public Shape asShape() {
        return Shape.of(shape);
    }

    /** Number of elements: the product of the dimensions (1 for a scalar). */
    public long elementCount() {
        long n = 1;
        for (int d : shape) {
            n *= d;
        }
        return n;
    }

    /** Size of the data in bytes. */
    public long byteSize() {
        return data.byteSize();
    }

    /**
     * The elements widened to fp32 (fp16 and bf16 exactly, fp32 as is). For tests and small tensors: this reads
     * every element into a new array.
     *
     * @throws IllegalStateException for an integer tensor or one of more than {@code 2^31 - 9} elements
     */
    public float[] toFloats() {
        int n = arrayLength();
        float[] out = new float[n];
        switch (dtype) {
            case F32 -> MemorySegment.copy(data, F32, 0, out, 0, n);
            case F16, BF16 -> {
                short[] raw = new short[n];
                MemorySegment.copy(data, I16, 0, raw, 0, n);
                if (dtype == DType.F16) {
                    for (int i = 0; i < n; i++) {
                        out[i] = Float.float16ToFloat(raw[i]);
                    }
                } else {
                    for (int i = 0; i < n; i++) {
                        out[i] = Float.intBitsToFloat(raw[i] << 16);
                    }
                }
            }
            default -> throw new IllegalStateException("tensor " + key + " holds " + dtype
                    + " integers; use toLongs()");
        }
        return out;
    }

    /**
     * The elements of an integer tensor (int32 widened) as longs.
     *
     * @throws IllegalStateException for a floating tensor or one of more than {@code 2^31 - 9} elements
     */
    public long[] toLongs() {
        int n = arrayLength();
        long[] out = new long[n];
        switch (dtype) {
            case I64 -> MemorySegment.copy(data, I64, 0, out, 0, n);
            case I32 -> {
                for (int i = 0; i < n; i++) {
                    out[i] = data.getAtIndex(I32, i);
                }
            }
            default -> throw new IllegalStateException("tensor " + key + " holds " + dtype
                    + " floating-point values; use toFloats()");
        }
        return out;
    }

    /** One element widened to fp32, by flat (row-major) index; for floating tensors. */
    public float getFloat(long index) {
        Objects.checkIndex(index, elementCount());
        return switch (dtype) {
            case F32 -> data.getAtIndex(F32, index);
            case F16 -> Float.float16ToFloat(data.getAtIndex(I16, index));
            case BF16 -> Float.intBitsToFloat(data.getAtIndex(I16, index) << 16);
            default -> throw new IllegalStateException("tensor " + key + " holds " + dtype + " integers");
        };
    }

    private int arrayLength() {
        long n = elementCount();
        if (n > MAX_ARRAY) {
            throw new IllegalStateException("tensor " + key + " has " + n + " elements, too many for a Java array");
        }
        return (int) n;
    }

    /** Equal when key, dtype and shape are equal and the data is the same memory. */
    @Override
    public boolean equals(Object o) {
        return o instanceof StoredTensor t && key.equals(t.key) && dtype == t.dtype
                && Arrays.equals(shape, t.shape) && data.equals(t.data);
    }

    @Override
    public int hashCode() {
        return Objects.hash(key, dtype, Arrays.hashCode(shape));
    }

    @Override
    public String toString() {
        return "StoredTensor[" + key + " " + dtype + " " + Arrays.toString(shape) + "]";
    }
}
