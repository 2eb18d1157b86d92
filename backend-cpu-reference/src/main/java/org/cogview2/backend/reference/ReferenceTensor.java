package org.cogview2.backend.reference;

import org.cogview2.spi.Shape;
import org.cogview2.spi.support.AbstractTensor;

/**
 * A tensor of the reference backend: a contiguous row-major run of {@code shape.elementCount()} elements starting at
 * element {@link #offset()} of a {@link Storage}. Ownership, views and lifetimes are those of {@link AbstractTensor};
 * this class adds the storage and the ways the kernels read it.
 */
final class ReferenceTensor extends AbstractTensor {

    /** Null once released, so that the memory can be collected even while the handle is still referenced. */
    private volatile Storage storage;

    private ReferenceTensor(ReferenceBackend backend, Shape shape, Storage storage) {
        super(backend, shape, storage.dtype());
        this.storage = storage;
    }

    private ReferenceTensor(ReferenceTensor of, Shape shape, long extraOffset) {
        super(of, shape, extraOffset);
        this.storage = of.storage();
    }

    /** A tensor owning {@code storage} (all of it). */
    static ReferenceTensor owning(ReferenceBackend backend, Shape shape, Storage storage) {
        return new ReferenceTensor(backend, shape, storage);
    }

    /** A view of {@code base}'s memory starting {@code extraOffset} elements after base's first element. */
    static ReferenceTensor view(ReferenceTensor base, Shape shape, long extraOffset) {
        return new ReferenceTensor(base, shape, extraOffset);
    }

    /** Number of elements, as an int (the reference backend's arrays are int-indexed). */
    int size() {
        return (int) count();
    }

    /** The storage; fails if this tensor (or the base of this view) has been released. */
    Storage storage() {
        checkLive();
        Storage s = storage;
        if (s == null) {
            throw new IllegalStateException("tensor " + describe() + " has been released");
        }
        return s;
    }

    /** Heap memory allocated by this backend is counted; mapped uploads used in place are not. */
    @Override
    protected long countedBytes() {
        Storage s = storage;
        return s != null && s.owned() ? s.allocatedBytes(size()) : NOT_COUNTED;
    }

    @Override
    protected void releaseMemory() {
        storage = null;
    }

    /**
     * The elements as fp32: the backing array itself for heap F32 storage, otherwise a widened copy (fp16, bf16,
     * mapped fp32), which is exact.
     */
    FloatData floats() {
        if (storage() instanceof Storage.F32(float[] values)) {
            return new FloatData(values, (int) offset());
        }
        float[] copy = new float[size()];
        storage().readFloats(offset(), copy, 0, copy.length);
        return new FloatData(copy, 0);
    }

    /** The elements as ints (I32 in place, I64 narrowed with a range check). */
    IntData ints() {
        if (storage() instanceof Storage.I32(int[] values)) {
            return new IntData(values, (int) offset());
        }
        int[] copy = new int[size()];
        storage().readInts(offset(), copy, 0, copy.length);
        return new IntData(copy, 0);
    }

    /** The writable fp32 array of a heap F32 tensor made by this backend (kernel outputs). */
    float[] f32Array() {
        if (storage() instanceof Storage.F32(float[] values)) {
            return values;
        }
        throw new IllegalStateException("tensor " + describe() + " is not a heap F32 tensor");
    }

    /** fp32 elements {@code data[offset .. offset + count)}. */
    record FloatData(float[] data, int offset) {
    }

    /** int elements {@code data[offset .. offset + count)}. */
    record IntData(int[] data, int offset) {
    }
}
