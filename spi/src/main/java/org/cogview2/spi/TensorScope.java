package org.cogview2.spi;

import java.lang.foreign.MemorySegment;

/**
 * Where tensors live and die, like DJL's {@code NDManager}: every tensor created here (by a transfer or by a
 * kernel writing {@code into} this scope) is released when the scope closes. Use try-with-resources so
 * nothing leaks on a device, also when a generation is cancelled or fails.
 *
 * <p>A scope is used by one thread at a time. Tensors from any open scope of the same backend can be kernel
 * inputs; outputs always land in the scope the caller names.
 */
public interface TensorScope extends AutoCloseable {

    Backend backend();

    /**
     * Brings contiguous little-endian elements onto the backend. The segment may be a memory-mapped view of a
     * checkpoint: a backend is free to use it in place (zero-copy) as long as the segment stays alive, and a
     * device backend uploads straight from it without a heap copy.
     *
     * @throws IllegalArgumentException if the segment's size is not {@code shape.elementCount() * dtype.byteSize()}
     */
    Tensor upload(MemorySegment littleEndianElements, DType dtype, Shape shape);

    /** A new {@link DType#F32} tensor holding {@code values} (row-major). */
    Tensor fromFloats(float[] values, Shape shape);

    /** A new {@link DType#I32} tensor holding {@code values} (row-major). */
    Tensor fromInts(int[] values, Shape shape);

    /** A new tensor filled with zeros. */
    Tensor zeros(DType dtype, Shape shape);

    /** Copies a floating-point tensor (any floating dtype) to the heap as fp32 values, row-major. */
    float[] readFloats(Tensor tensor);

    /** Copies an integer tensor to the heap, row-major. */
    int[] readInts(Tensor tensor);

    /** A view of {@code tensor} with another shape of the same element count; no copy. */
    Tensor reshape(Tensor tensor, Shape shape);

    /** A view of rows {@code [start, start + length)} along the first dimension; no copy. */
    Tensor narrow(Tensor tensor, int start, int length);

    /** Releases every tensor this scope created. Idempotent. */
    @Override
    void close();
}
