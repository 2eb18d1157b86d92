package org.cogview2.backend.template;

import org.cogview2.spi.DType;
import org.cogview2.spi.Shape;
import org.cogview2.spi.support.AbstractTensor;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteOrder;

/**
 * A tensor of the template backend: its elements as contiguous little-endian bytes, the layout
 * {@link org.cogview2.spi.TensorScope#upload} receives, in a heap {@link MemorySegment}. Your device memory goes here
 * (a device pointer instead of the segment, {@link #releaseMemory()} freeing it). Shape, dtype, views, lifetime and
 * accounting are {@link AbstractTensor}'s.
 */
public final class TemplateTensor extends AbstractTensor {

    static final ValueLayout.OfFloat F32 = ValueLayout.JAVA_FLOAT_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);
    static final ValueLayout.OfShort HALF = ValueLayout.JAVA_SHORT_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);
    static final ValueLayout.OfInt I32 = ValueLayout.JAVA_INT_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);
    static final ValueLayout.OfLong I64 = ValueLayout.JAVA_LONG_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);

    /** The memory of the owner (a view shares its base's); null once released. */
    private volatile MemorySegment memory;

    /** A tensor owning new zeroed memory for {@code shape}. */
    TemplateTensor(TemplateBackend backend, Shape shape, DType dtype) {
        super(backend, shape, dtype);
        long bytes = shape.elementCount() * dtype.byteSize();
        // A long[] holds up to 16 GiB (a byte[] only 2 GiB); the slice is exactly the tensor's bytes.
        this.memory = MemorySegment.ofArray(new long[(int) ((bytes + 7) / 8)]).asSlice(0, bytes);
    }

    /** A view of {@code of}'s memory, {@code extraOffset} elements after of's first element. */
    TemplateTensor(TemplateTensor of, Shape shape, long extraOffset) {
        super(of, shape, extraOffset);
        this.memory = of.memory;
    }

    /** This tensor's own elements (a slice of the shared memory for a view); fails once released. */
    MemorySegment segment() {
        checkLive();
        MemorySegment m = memory;
        long size = dtype().byteSize();
        return m.asSlice(offset() * size, count() * size);
    }

    /** Element {@code i} of a floating tensor (of {@code segment}), widened exactly to fp32. */
    static float getFloat(MemorySegment segment, DType dtype, long i) {
        return switch (dtype) {
            case F32 -> segment.getAtIndex(F32, i);
            case F16 -> Float.float16ToFloat(segment.getAtIndex(HALF, i));
            case BF16 -> Float.intBitsToFloat((segment.getAtIndex(HALF, i) & 0xFFFF) << 16);
            default -> throw new IllegalStateException("not a floating dtype: " + dtype);
        };
    }

    @Override
    protected long countedBytes() {
        return count() * dtype().byteSize();
    }

    @Override
    protected void releaseMemory() {
        memory = null; // the garbage collector frees heap memory; a device backend frees its allocation here
    }
}
