package org.cogview2.checkpoint;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.Arrays;
import java.util.Objects;
import java.util.regex.Pattern;

/**
 * A numpy array pickled inside a checkpoint's training state, e.g. the {@code uint32[624]} key of
 * {@code numpy.random.get_state()} that SAT saves as {@code np_rng_state}. It is plain data read off the pickle
 * ({@code _reconstruct} and {@code __setstate__} were interpreted, never run); its shape was checked against its
 * bytes.
 *
 * @param dtype        numpy's type string: byte order ({@code <}, {@code >} or {@code |}) and kind and size, e.g.
 *                     {@code <u4}, {@code <f8}, {@code |b1}
 * @param shape        the dimensions (a copy is kept and returned)
 * @param fortranOrder whether {@code data} is in column-major order
 * @param data         the raw elements, {@code elementCount() * itemSize()} bytes (a copy is kept and returned)
 */
public record NumpyArray(String dtype, int[] shape, boolean fortranOrder, byte[] data) {

    /** The numpy type codes accepted, without byte order: bool, signed and unsigned integers, floats. */
    static final Pattern PLAIN_TYPE = Pattern.compile("b1|[iu][1248]|f[248]");

    /** Checks the type string, that the bytes match the shape, and keeps copies. */
    public NumpyArray {
        Objects.requireNonNull(dtype);
        if (dtype.length() < 3 || "<>|".indexOf(dtype.charAt(0)) < 0 || !PLAIN_TYPE.matcher(dtype.substring(1)).matches()) {
            throw new IllegalArgumentException("not a plain numeric numpy type: '" + dtype + "'");
        }
        shape = shape.clone();
        data = data.clone();
        long expected = byteSize(dtype, shape);
        if (expected != data.length) {
            throw new IllegalArgumentException("numpy array " + dtype + Arrays.toString(shape) + " needs " + expected
                    + " bytes, got " + data.length);
        }
    }

    /** Bytes a C array of {@code dtype} and {@code shape} holds, or -1 on overflow. */
    static long byteSize(String dtype, int[] shape) {
        long n = Integer.parseInt(dtype.substring(2));
        try {
            for (int d : shape) {
                n = Math.multiplyExact(n, (long) d);
            }
        } catch (ArithmeticException e) {
            return -1;
        }
        return n;
    }

    @Override
    public int[] shape() {
        return shape.clone();
    }

    @Override
    public byte[] data() {
        return data.clone();
    }

    /** Bytes per element. */
    public int itemSize() {
        return Integer.parseInt(dtype.substring(2));
    }

    /** The product of the dimensions. */
    public long elementCount() {
        return data.length / itemSize();
    }

    /**
     * The elements of an integer or bool array as longs, in storage order (unsigned types zero-extended).
     *
     * @throws IllegalStateException for a floating-point array
     */
    public long[] toLongs() {
        char kind = dtype.charAt(1);
        if (kind != 'i' && kind != 'u' && kind != 'b') {
            throw new IllegalStateException("numpy array of " + dtype + " holds floating-point values");
        }
        int size = itemSize();
        ByteBuffer b = ByteBuffer.wrap(data).order(dtype.charAt(0) == '>' ? ByteOrder.BIG_ENDIAN : ByteOrder.LITTLE_ENDIAN);
        long[] out = new long[data.length / size];
        for (int i = 0; i < out.length; i++) {
            long v = switch (size) {
                case 1 -> kind == 'i' ? b.get(i) : Byte.toUnsignedLong(b.get(i));
                case 2 -> kind == 'i' ? b.getShort(2 * i) : Short.toUnsignedLong(b.getShort(2 * i));
                case 4 -> kind == 'i' ? b.getInt(4 * i) : Integer.toUnsignedLong(b.getInt(4 * i));
                default -> b.getLong(8 * i);
            };
            out[i] = v;
        }
        return out;
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof NumpyArray a && dtype.equals(a.dtype) && fortranOrder == a.fortranOrder
                && Arrays.equals(shape, a.shape) && Arrays.equals(data, a.data);
    }

    @Override
    public int hashCode() {
        return Objects.hash(dtype, Arrays.hashCode(shape), Arrays.hashCode(data));
    }

    @Override
    public String toString() {
        return "NumpyArray[" + dtype + " " + Arrays.toString(shape) + "]";
    }
}
