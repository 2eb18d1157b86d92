package org.cogview2.backend.vector;

import org.cogview2.spi.DType;
import org.cogview2.spi.Shape;
import org.cogview2.spi.Tensor;

import java.util.concurrent.atomic.AtomicBoolean;

/**
 * A tensor of the vector backend: {@code shape.elementCount()} contiguous row-major elements starting at element
 * {@link #offset()} of a {@link Store}. A tensor made by a transfer or a kernel owns its store; a view (reshape,
 * narrow) shares its base's store and is unusable once the base is released.
 */
final class VTensor implements Tensor {

    private final VectorBackend backend;
    private final Shape shape;
    private final DType dtype;
    private final long offset;
    private final int count;
    private final VTensor base;
    private final AtomicBoolean closed = new AtomicBoolean();
    private volatile VScope scope;
    private volatile Store store;

    private VTensor(VectorBackend backend, Shape shape, Store store, long offset, VTensor base) {
        this.backend = backend;
        this.shape = shape;
        this.dtype = store.dtype();
        this.store = store;
        this.offset = offset;
        this.base = base;
        this.count = (int) shape.elementCount();
    }

    static VTensor owning(VectorBackend backend, Shape shape, Store store) {
        return new VTensor(backend, shape, store, 0, null);
    }

    static VTensor view(VTensor of, Shape shape, long extraOffset) {
        VTensor owner = of.base != null ? of.base : of;
        return new VTensor(of.backend, shape, of.store(), of.offset + extraOffset, owner);
    }

    VectorBackend backend() {
        return backend;
    }

    void attach(VScope owner) {
        scope = owner;
    }

    @Override
    public Shape shape() {
        return shape;
    }

    @Override
    public DType dtype() {
        return dtype;
    }

    int count() {
        return count;
    }

    long offset() {
        return offset;
    }

    /** Offset as an int, for heap arrays. */
    int off() {
        return (int) offset;
    }

    boolean isView() {
        return base != null;
    }

    @Override
    public boolean isClosed() {
        return closed.get() || (base != null && base.isClosed());
    }

    Store store() {
        Store s = store;
        if (s == null || isClosed()) {
            throw new IllegalStateException("tensor " + describe() + " has been released"
                    + (base != null && base.isClosed() ? " (the tensor it is a view of was closed)" : ""));
        }
        return s;
    }

    /** The heap fp32 array of an F32 tensor made by this backend (kernel outputs, fromFloats). */
    float[] f32() {
        if (store() instanceof Store.F32 s) {
            return s.a();
        }
        throw new IllegalStateException("tensor " + describe() + " is not a heap F32 tensor");
    }

    /**
     * The elements as an fp32 array and offset: the backing array of a heap F32 tensor, else a widened copy. Used for
     * small inputs (norm parameters, masks) and activations; large weights go through {@link Operand} instead.
     */
    Floats floats() {
        if (store() instanceof Store.F32 s) {
            return new Floats(s.a(), (int) offset);
        }
        float[] copy = new float[count];
        Halfs.read(store(), offset, copy, 0, count);
        return new Floats(copy, 0);
    }

    /** The elements as ints: I32 in place, I64 (or mapped) narrowed with a range check. */
    Ints ints() {
        Store s = store();
        if (s instanceof Store.I32 i) {
            return new Ints(i.a(), (int) offset);
        }
        int[] copy = new int[count];
        for (int i = 0; i < count; i++) {
            long v = switch (s) {
                case Store.I64 l -> l.a()[(int) offset + i];
                case Store.Mapped m when m.dtype() == DType.I32 -> m.segment().get(Store.LE_INT, (offset + i) * 4);
                case Store.Mapped m when m.dtype() == DType.I64 -> m.segment().get(Store.LE_LONG, (offset + i) * 8);
                default -> throw new IllegalArgumentException("tensor " + describe() + " holds no integers");
            };
            if (v < Integer.MIN_VALUE || v > Integer.MAX_VALUE) {
                throw new IllegalArgumentException("I64 element " + i + " = " + v + " of " + describe() + " does not fit an int");
            }
            copy[i] = (int) v;
        }
        return new Ints(copy, 0);
    }

    String describe() {
        return dtype + shape.toString() + (base != null ? " view" : "");
    }

    @Override
    public void close() {
        if (closed.compareAndSet(false, true)) {
            Store s = store;
            store = null;
            if (base == null && s != null && !(s instanceof Store.Mapped)) {
                backend.accounting().released(s.allocatedBytes(count));
            }
            VScope owner = scope;
            if (owner != null) {
                owner.forget(this);
            }
        }
    }

    @Override
    public String toString() {
        return "VectorTensor" + describe() + (isClosed() ? " (released)" : "");
    }

    record Floats(float[] a, int off) {
    }

    record Ints(int[] a, int off) {
    }
}
