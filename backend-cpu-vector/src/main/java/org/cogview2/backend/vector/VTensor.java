package org.cogview2.backend.vector;

import org.cogview2.spi.DType;
import org.cogview2.spi.Shape;
import org.cogview2.spi.support.AbstractBackend;
import org.cogview2.spi.support.AbstractTensor;

/**
 * A tensor of the vector backend: {@code shape.elementCount()} contiguous row-major elements starting at element
 * {@link #offset()} of a {@link Store}. A tensor made by a transfer or a kernel owns its store; a view (reshape,
 * narrow) shares its base's store and is unusable once the base is released.
 */
final class VTensor extends AbstractTensor {

    private volatile Store store;

    private VTensor(AbstractBackend<?, ?> backend, Shape shape, Store store) {
        super(backend, shape, store.dtype());
        this.store = store;
    }

    private VTensor(VTensor of, Shape shape, long extraOffset) {
        super(of, shape, extraOffset);
        this.store = of.store();
    }

    static VTensor owning(AbstractBackend<?, ?> backend, Shape shape, Store store) {
        return new VTensor(backend, shape, store);
    }

    static VTensor view(VTensor of, Shape shape, long extraOffset) {
        return new VTensor(of, shape, extraOffset);
    }

    /** Number of elements as an int (the stores are int-indexed heap arrays, or mapped segments of no more). */
    int size() {
        return (int) count();
    }

    /** Offset as an int, for heap arrays. */
    int off() {
        return (int) offset();
    }

    Store store() {
        // Read before the check: the store is dropped only after the tensor is marked closed.
        Store s = store;
        checkLive();
        return s;
    }

    /** Heap stores count their bytes; a mapped segment used in place counts nothing. */
    @Override
    protected long countedBytes() {
        return store instanceof Store.Mapped ? NOT_COUNTED : store.allocatedBytes(count());
    }

    /** An owner gives a heap F32 array back to the backend's pool (views share their owner's, and give nothing). */
    @Override
    protected void releaseMemory() {
        Store s = store;
        store = null;
        if (!isView() && s instanceof Store.F32 f && backend() instanceof VectorBackend vb) {
            vb.pool().give(f.a());
        }
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
            return new Floats(s.a(), off());
        }
        float[] copy = new float[size()];
        Halfs.read(store(), offset(), copy, 0, copy.length);
        return new Floats(copy, 0);
    }

    /** The elements as ints: I32 in place, I64 (or mapped) narrowed with a range check. */
    Ints ints() {
        Store s = store();
        if (s instanceof Store.I32 i) {
            return new Ints(i.a(), off());
        }
        long offset = offset();
        int[] copy = new int[size()];
        for (int i = 0; i < copy.length; i++) {
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

    @Override
    public String toString() {
        return "VectorTensor" + describe() + (isClosed() ? " (released)" : "");
    }

    record Floats(float[] a, int off) {
    }

    record Ints(int[] a, int off) {
    }
}
