package org.cogview2.backend.reference;

import org.cogview2.spi.DType;
import org.cogview2.spi.Shape;
import org.cogview2.spi.Tensor;

import java.util.concurrent.atomic.AtomicBoolean;

/**
 * A tensor of the reference backend: a contiguous row-major run of {@code shape.elementCount()} elements starting at
 * element {@code offset} of a {@link Storage}. A tensor made by a transfer or a kernel owns its storage (its
 * {@code base} is null); a view ({@code reshape}, {@code narrow}) shares the storage of its base and becomes unusable
 * once the base is released.
 */
final class ReferenceTensor implements Tensor {

    private final ReferenceBackend backend;
    private final Shape shape;
    private final DType dtype;
    private final long offset;
    private final int count;
    /** The tensor owning the storage, or null if this one owns it. */
    private final ReferenceTensor base;
    private final AtomicBoolean closed = new AtomicBoolean();
    /** The scope that registered this tensor, told when it is closed early. */
    private volatile ReferenceScope scope;
    /** Null once released, so that the memory can be collected even while the handle is still referenced. */
    private volatile Storage storage;

    private ReferenceTensor(ReferenceBackend backend, Shape shape, DType dtype, Storage storage, long offset,
                            ReferenceTensor base) {
        this.backend = backend;
        this.shape = shape;
        this.dtype = dtype;
        this.storage = storage;
        this.offset = offset;
        this.base = base;
        this.count = (int) shape.elementCount();
    }

    /** A tensor owning {@code storage} (all of it). */
    static ReferenceTensor owning(ReferenceBackend backend, Shape shape, Storage storage) {
        return new ReferenceTensor(backend, shape, storage.dtype(), storage, 0, null);
    }

    /** A view of {@code base}'s memory starting {@code extraOffset} elements after base's first element. */
    static ReferenceTensor view(ReferenceTensor base, Shape shape, long extraOffset) {
        ReferenceTensor owner = base.base != null ? base.base : base;
        return new ReferenceTensor(base.backend, shape, base.dtype, base.storage(), base.offset + extraOffset, owner);
    }

    ReferenceBackend backend() {
        return backend;
    }

    void attach(ReferenceScope owner) {
        this.scope = owner;
    }

    @Override
    public Shape shape() {
        return shape;
    }

    @Override
    public DType dtype() {
        return dtype;
    }

    /** Number of elements. */
    int count() {
        return count;
    }

    /** Element offset of the first element in {@link #storage()}. */
    long offset() {
        return offset;
    }

    boolean isView() {
        return base != null;
    }

    @Override
    public boolean isClosed() {
        return closed.get() || (base != null && base.isClosed());
    }

    /** The storage; fails if this tensor (or the base of this view) has been released. */
    Storage storage() {
        Storage s = storage;
        if (s == null || isClosed()) {
            throw new IllegalStateException("tensor " + describe() + " has been released"
                    + (base != null && base.isClosed() ? " (the tensor it is a view of was closed)" : ""));
        }
        return s;
    }

    /** Whether the elements can be used in place as an fp32 array (heap F32 storage). */
    boolean isHeapF32() {
        return storage() instanceof Storage.F32;
    }

    /**
     * The elements as fp32: the backing array itself for heap F32 storage, otherwise a widened copy (fp16, bf16,
     * mapped fp32), which is exact.
     */
    FloatData floats() {
        if (storage() instanceof Storage.F32(float[] values)) {
            return new FloatData(values, (int) offset);
        }
        float[] copy = new float[count];
        storage().readFloats(offset, copy, 0, count);
        return new FloatData(copy, 0);
    }

    /** The elements as ints (I32 in place, I64 narrowed with a range check). */
    IntData ints() {
        if (storage() instanceof Storage.I32(int[] values)) {
            return new IntData(values, (int) offset);
        }
        int[] copy = new int[count];
        storage().readInts(offset, copy, 0, count);
        return new IntData(copy, 0);
    }

    /** The writable fp32 array of a heap F32 tensor made by this backend (kernel outputs). */
    float[] f32Array() {
        if (storage() instanceof Storage.F32(float[] values)) {
            return values;
        }
        throw new IllegalStateException("tensor " + describe() + " is not a heap F32 tensor");
    }

    /** A short description for messages: dtype, shape and whether it is a view. */
    String describe() {
        return dtype + shape.toString() + (base != null ? " view" : "");
    }

    @Override
    public void close() {
        if (closed.compareAndSet(false, true)) {
            Storage s = storage;
            storage = null;
            if (base == null && s != null && s.owned()) {
                backend.accounting().released(s.allocatedBytes(count));
            }
            ReferenceScope owner = scope;
            if (owner != null) {
                owner.forget(this);
            }
        }
    }

    @Override
    public String toString() {
        return "ReferenceTensor" + describe() + (isClosed() ? " (released)" : "");
    }

    /** fp32 elements {@code data[offset .. offset + count)}. */
    record FloatData(float[] data, int offset) {
    }

    /** int elements {@code data[offset .. offset + count)}. */
    record IntData(int[] data, int offset) {
    }
}
