package org.cogview2.backend.reference;

import org.cogview2.spi.DType;
import org.cogview2.spi.Shape;
import org.cogview2.spi.support.AbstractScope;

import java.lang.foreign.MemorySegment;

/**
 * A scope of the reference backend: tensors live in heap arrays. The bookkeeping and every check are those of
 * {@link AbstractScope}; this class says how heap storage is made, filled and read.
 */
final class ReferenceScope extends AbstractScope<ReferenceTensor> {

    private final ReferenceBackend backend;

    ReferenceScope(ReferenceBackend backend) {
        super(backend);
        this.backend = backend;
    }

    /** Kernel results are zero-filled heap arrays (Java allocates them zeroed anyway). */
    @Override
    protected ReferenceTensor allocateUnchecked(DType dtype, Shape shape) {
        return register(ReferenceTensor.owning(backend, shape, Storage.allocate(dtype, (int) shape.elementCount())));
    }

    @Override
    protected ReferenceTensor zerosUnchecked(DType dtype, Shape shape) {
        return allocateUnchecked(dtype, shape);
    }

    @Override
    protected ReferenceTensor uploadUnchecked(MemorySegment littleEndianElements, DType dtype, Shape shape) {
        Storage.Mapped mapped = new Storage.Mapped(littleEndianElements, dtype);
        if (littleEndianElements.isMapped()) {
            // Zero-copy: the checkpoint's mapped bytes are read (and widened) in place by the kernels.
            return register(ReferenceTensor.owning(backend, shape, mapped));
        }
        // Any other segment may be freed by the caller after the upload: take a heap copy.
        return register(ReferenceTensor.owning(backend, shape, mapped.copyToHeap(0, (int) shape.elementCount())));
    }

    @Override
    protected ReferenceTensor fromFloatsUnchecked(float[] values, Shape shape) {
        return register(ReferenceTensor.owning(backend, shape, new Storage.F32(values.clone())));
    }

    @Override
    protected ReferenceTensor fromIntsUnchecked(int[] values, Shape shape) {
        return register(ReferenceTensor.owning(backend, shape, new Storage.I32(values.clone())));
    }

    @Override
    protected float[] readFloatsUnchecked(ReferenceTensor t) {
        float[] out = new float[t.size()];
        t.storage().readFloats(t.offset(), out, 0, out.length);
        return out;
    }

    @Override
    protected int[] readIntsUnchecked(ReferenceTensor t) {
        int[] out = new int[t.size()];
        t.storage().readInts(t.offset(), out, 0, out.length);
        return out;
    }

    @Override
    protected ReferenceTensor view(ReferenceTensor base, Shape shape, long extraOffset) {
        return ReferenceTensor.view(base, shape, extraOffset);
    }

    /** One Java array per tensor. */
    @Override
    protected long maxElements() {
        return Integer.MAX_VALUE - 8;
    }
}
