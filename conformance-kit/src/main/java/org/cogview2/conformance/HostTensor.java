package org.cogview2.conformance;

import org.cogview2.spi.DType;
import org.cogview2.spi.Shape;
import org.cogview2.spi.Tensor;
import org.cogview2.spi.TensorScope;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteOrder;
import java.util.Arrays;
import java.util.Objects;

/**
 * Values on the heap that a rule uploads to both backends, or reads back from them. Floating tensors keep their
 * values as exact fp32 numbers (an F16 or BF16 tensor holds values already rounded to that format, so both backends
 * receive the same bits); integer tensors keep ints.
 */
public record HostTensor(DType dtype, int[] shape, float[] floats, int[] ints) {

    private static final ValueLayout.OfShort LE_SHORT = ValueLayout.JAVA_SHORT_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);
    private static final ValueLayout.OfLong LE_LONG = ValueLayout.JAVA_LONG_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);

    public HostTensor {
        Objects.requireNonNull(dtype, "dtype");
        shape = shape.clone();
        long count = Shape.of(shape).elementCount();
        int length = dtype.isFloating() ? floats.length : ints.length;
        if (length != count) {
            throw new IllegalArgumentException(length + " values for shape " + Arrays.toString(shape));
        }
    }

    public static HostTensor f32(int[] shape, float... values) {
        return new HostTensor(DType.F32, shape, values, null);
    }

    /** Values rounded to binary16 (round-to-nearest-even); uploaded as F16. */
    public static HostTensor f16(int[] shape, float... values) {
        float[] rounded = new float[values.length];
        for (int i = 0; i < values.length; i++) {
            rounded[i] = Float.float16ToFloat(Float.floatToFloat16(values[i]));
        }
        return new HostTensor(DType.F16, shape, rounded, null);
    }

    /** Values rounded to bfloat16 (round-to-nearest-even); uploaded as BF16. */
    public static HostTensor bf16(int[] shape, float... values) {
        float[] rounded = new float[values.length];
        for (int i = 0; i < values.length; i++) {
            rounded[i] = Float.intBitsToFloat((bf16Bits(values[i]) & 0xFFFF) << 16);
        }
        return new HostTensor(DType.BF16, shape, rounded, null);
    }

    public static HostTensor i32(int[] shape, int... values) {
        return new HostTensor(DType.I32, shape, null, values);
    }

    /** This tensor's values rounded to another floating dtype. */
    public HostTensor as(DType target) {
        return switch (target) {
            case F32 -> f32(shape, floats.clone());
            case F16 -> f16(shape, floats);
            case BF16 -> bf16(shape, floats);
            default -> throw new IllegalArgumentException("not a floating dtype: " + target);
        };
    }

    public Shape shapeObject() {
        return Shape.of(shape);
    }

    /** Creates the tensor in {@code scope}: F32 and I32 directly, F16/BF16 by uploading little-endian bits. */
    public Tensor upload(TensorScope scope, Arena arena) {
        return switch (dtype) {
            case F32 -> scope.fromFloats(floats.clone(), shapeObject());
            case I32 -> scope.fromInts(ints.clone(), shapeObject());
            case F16, BF16 -> {
                MemorySegment seg = arena.allocate(2L * floats.length, 2);
                for (int i = 0; i < floats.length; i++) {
                    short bits = dtype == DType.F16 ? Float.floatToFloat16(floats[i]) : bf16Bits(floats[i]);
                    seg.set(LE_SHORT, 2L * i, bits);
                }
                yield scope.upload(seg, dtype, shapeObject());
            }
            case I64 -> {
                MemorySegment seg = arena.allocate(8L * ints.length, 8);
                for (int i = 0; i < ints.length; i++) {
                    seg.set(LE_LONG, 8L * i, ints[i]);
                }
                yield scope.upload(seg, dtype, shapeObject());
            }
        };
    }

    /** Reads a tensor back: floating tensors as fp32 values, integer tensors as ints. */
    public static HostTensor download(TensorScope scope, Tensor tensor) {
        int[] shape = tensor.shape().dims();
        if (tensor.dtype().isFloating()) {
            return new HostTensor(tensor.dtype(), shape, scope.readFloats(tensor), null);
        }
        return new HostTensor(tensor.dtype(), shape, null, scope.readInts(tensor));
    }

    private static short bf16Bits(float v) {
        int bits = Float.floatToRawIntBits(v);
        if (Float.isNaN(v)) {
            return (short) ((bits >>> 16) | 0x40);
        }
        return (short) ((bits + 0x7FFF + ((bits >>> 16) & 1)) >>> 16);
    }

    @Override
    public String toString() {
        return dtype + Arrays.toString(shape);
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof HostTensor h && h.dtype == dtype && Arrays.equals(h.shape, shape)
                && Arrays.equals(h.floats, floats) && Arrays.equals(h.ints, ints);
    }

    @Override
    public int hashCode() {
        return Objects.hash(dtype, Arrays.hashCode(shape), Arrays.hashCode(floats), Arrays.hashCode(ints));
    }
}
