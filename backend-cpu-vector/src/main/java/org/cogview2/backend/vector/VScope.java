package org.cogview2.backend.vector;

import org.cogview2.spi.DType;
import org.cogview2.spi.Shape;
import org.cogview2.spi.support.AbstractScope;

import java.lang.foreign.MemorySegment;

/**
 * A scope of the vector backend. Mapped uploads are used in place (zero-copy, not counted); any other uploaded
 * segment is copied to the heap, since the caller may free it afterwards.
 */
final class VScope extends AbstractScope<VTensor> {

    VScope(VectorBackend backend) {
        super(backend);
    }

    /**
     * A zero-filled heap store (large F32 arrays come from the backend's {@link ArrayPool}). Kernel results get one
     * too: the kernels that accumulate into their output (attention's weighted values, gridAttention) rely on the
     * zeros.
     */
    @Override
    protected VTensor allocateUnchecked(DType dtype, Shape shape) {
        int n = (int) shape.elementCount();
        Store store = dtype == DType.F32 ? new Store.F32(((VectorBackend) backend()).pool().take(n))
                : Store.allocate(dtype, n);
        return register(VTensor.owning(backend(), shape, store));
    }

    @Override
    protected VTensor zerosUnchecked(DType dtype, Shape shape) {
        return allocateUnchecked(dtype, shape);
    }

    @Override
    protected VTensor uploadUnchecked(MemorySegment segment, DType dtype, Shape shape) {
        if (segment.isMapped()) {
            return register(VTensor.owning(backend(), shape, new Store.Mapped(segment, dtype)));
        }
        int n = (int) shape.elementCount();
        Store copy = Store.allocate(dtype, n);
        switch (copy) {
            case Store.F32 s -> MemorySegment.copy(segment, Store.LE_FLOAT, 0, s.a(), 0, n);
            case Store.Half s -> MemorySegment.copy(segment, Store.LE_SHORT, 0, s.a(), 0, n);
            case Store.I32 s -> MemorySegment.copy(segment, Store.LE_INT, 0, s.a(), 0, n);
            case Store.I64 s -> MemorySegment.copy(segment, Store.LE_LONG, 0, s.a(), 0, n);
            case Store.Mapped m -> throw new AssertionError(m);
        }
        return register(VTensor.owning(backend(), shape, copy));
    }

    @Override
    protected VTensor fromFloatsUnchecked(float[] values, Shape shape) {
        return register(VTensor.owning(backend(), shape, new Store.F32(values.clone())));
    }

    @Override
    protected VTensor fromIntsUnchecked(int[] values, Shape shape) {
        return register(VTensor.owning(backend(), shape, new Store.I32(values.clone())));
    }

    @Override
    protected float[] readFloatsUnchecked(VTensor t) {
        float[] out = new float[t.size()];
        Halfs.read(t.store(), t.offset(), out, 0, out.length);
        return out;
    }

    @Override
    protected int[] readIntsUnchecked(VTensor t) {
        VTensor.Ints ints = t.ints();
        int[] out = new int[t.size()];
        System.arraycopy(ints.a(), ints.off(), out, 0, out.length);
        return out;
    }

    @Override
    protected VTensor view(VTensor base, Shape shape, long extraOffset) {
        return VTensor.view(base, shape, extraOffset);
    }

    /** Heap arrays are int-indexed and a JVM array holds a little less than 2^31 elements. */
    @Override
    protected long maxElements() {
        return Integer.MAX_VALUE - 8;
    }
}
