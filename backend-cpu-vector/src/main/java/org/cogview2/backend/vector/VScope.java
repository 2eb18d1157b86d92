package org.cogview2.backend.vector;

import org.cogview2.spi.Backend;
import org.cogview2.spi.DType;
import org.cogview2.spi.Shape;
import org.cogview2.spi.Tensor;
import org.cogview2.spi.TensorScope;

import java.lang.foreign.MemorySegment;
import java.util.ArrayList;
import java.util.Collections;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Objects;
import java.util.Set;

/**
 * A scope of the vector backend: it keeps every tensor it created and releases them on close. Mapped uploads are
 * used in place (zero-copy, not counted); any other uploaded segment is copied to the heap, since the caller may free
 * it afterwards.
 */
final class VScope implements TensorScope {

    private final VectorBackend backend;
    private final Set<VTensor> tensors = Collections.newSetFromMap(new IdentityHashMap<>());
    private boolean closed;

    VScope(VectorBackend backend) {
        this.backend = backend;
    }

    @Override
    public Backend backend() {
        return backend;
    }

    boolean isClosed() {
        synchronized (tensors) {
            return closed;
        }
    }

    VTensor allocate(DType dtype, Shape shape) {
        return register(VTensor.owning(backend, shape, Store.allocate(dtype, checkedCount(shape))));
    }

    VTensor allocateF32(Shape shape) {
        return allocate(DType.F32, shape);
    }

    VTensor register(VTensor tensor) {
        synchronized (tensors) {
            if (closed) {
                throw new IllegalStateException("this tensor scope is closed");
            }
            backend.checkOpen();
            if (!tensor.isView() && !(tensor.store() instanceof Store.Mapped)) {
                backend.accounting().allocated(tensor.store().allocatedBytes(tensor.count()));
            }
            tensors.add(tensor);
            tensor.attach(this);
        }
        return tensor;
    }

    @Override
    public Tensor upload(MemorySegment segment, DType dtype, Shape shape) {
        Objects.requireNonNull(segment, "upload: segment is null");
        Objects.requireNonNull(dtype, "upload: dtype is null");
        Objects.requireNonNull(shape, "upload: shape is null");
        int n = checkedCount(shape);
        long expected = (long) n * dtype.byteSize();
        if (segment.byteSize() != expected) {
            throw new IllegalArgumentException("upload: segment holds " + segment.byteSize() + " bytes but " + n
                    + " elements of " + dtype + " for shape " + shape + " need " + expected);
        }
        checkOpen();
        if (segment.isMapped()) {
            return register(VTensor.owning(backend, shape, new Store.Mapped(segment, dtype)));
        }
        Store copy = Store.allocate(dtype, n);
        switch (copy) {
            case Store.F32 s -> MemorySegment.copy(segment, Store.LE_FLOAT, 0, s.a(), 0, n);
            case Store.Half s -> MemorySegment.copy(segment, Store.LE_SHORT, 0, s.a(), 0, n);
            case Store.I32 s -> MemorySegment.copy(segment, Store.LE_INT, 0, s.a(), 0, n);
            case Store.I64 s -> MemorySegment.copy(segment, Store.LE_LONG, 0, s.a(), 0, n);
            case Store.Mapped m -> throw new AssertionError(m);
        }
        return register(VTensor.owning(backend, shape, copy));
    }

    @Override
    public Tensor fromFloats(float[] values, Shape shape) {
        Objects.requireNonNull(values, "fromFloats: values is null");
        int n = checkedCount(Objects.requireNonNull(shape, "fromFloats: shape is null"));
        if (values.length != n) {
            throw new IllegalArgumentException("fromFloats: " + values.length + " values given for shape " + shape
                    + " of " + n + " elements");
        }
        checkOpen();
        return register(VTensor.owning(backend, shape, new Store.F32(values.clone())));
    }

    @Override
    public Tensor fromInts(int[] values, Shape shape) {
        Objects.requireNonNull(values, "fromInts: values is null");
        int n = checkedCount(Objects.requireNonNull(shape, "fromInts: shape is null"));
        if (values.length != n) {
            throw new IllegalArgumentException("fromInts: " + values.length + " values given for shape " + shape
                    + " of " + n + " elements");
        }
        checkOpen();
        return register(VTensor.owning(backend, shape, new Store.I32(values.clone())));
    }

    @Override
    public Tensor zeros(DType dtype, Shape shape) {
        Objects.requireNonNull(dtype, "zeros: dtype is null");
        Objects.requireNonNull(shape, "zeros: shape is null");
        checkOpen();
        return allocate(dtype, shape);
    }

    @Override
    public float[] readFloats(Tensor tensor) {
        VTensor t = backend.own("readFloats", "tensor", tensor);
        if (!t.dtype().isFloating()) {
            throw new IllegalArgumentException("readFloats: tensor must be floating (F32, F16 or BF16), got " + t.describe());
        }
        float[] out = new float[t.count()];
        Halfs.read(t.store(), t.offset(), out, 0, out.length);
        return out;
    }

    @Override
    public int[] readInts(Tensor tensor) {
        VTensor t = backend.own("readInts", "tensor", tensor);
        if (t.dtype().isFloating()) {
            throw new IllegalArgumentException("readInts: tensor must be an integer tensor (I32 or I64), got " + t.describe());
        }
        VTensor.Ints ints = t.ints();
        int[] out = new int[t.count()];
        System.arraycopy(ints.a(), ints.off(), out, 0, out.length);
        return out;
    }

    @Override
    public Tensor reshape(Tensor tensor, Shape shape) {
        VTensor t = backend.own("reshape", "tensor", tensor);
        Objects.requireNonNull(shape, "reshape: shape is null");
        if (shape.elementCount() != t.count()) {
            throw new IllegalArgumentException("reshape: shape " + shape + " has " + shape.elementCount()
                    + " elements but the tensor " + t.describe() + " has " + t.count());
        }
        checkOpen();
        return register(VTensor.view(t, shape, 0));
    }

    @Override
    public Tensor narrow(Tensor tensor, int start, int length) {
        VTensor t = backend.own("narrow", "tensor", tensor);
        Shape shape = t.shape();
        if (shape.rank() == 0) {
            throw new IllegalArgumentException("narrow: tensor must have at least one dimension, got a scalar");
        }
        int rows = shape.dim(0);
        if (start < 0 || length < 0 || (long) start + length > rows) {
            throw new IllegalArgumentException("narrow: rows [" + start + ", " + ((long) start + length)
                    + ") are outside the first dimension of " + t.describe() + " (size " + rows + ")");
        }
        checkOpen();
        long rowSize = rows == 0 ? 0 : t.count() / rows;
        return register(VTensor.view(t, shape.withDim(0, length), start * rowSize));
    }

    @Override
    public void close() {
        List<VTensor> toClose;
        synchronized (tensors) {
            if (closed) {
                return;
            }
            closed = true;
            toClose = new ArrayList<>(tensors);
            tensors.clear();
        }
        for (VTensor t : toClose) {
            t.close();
        }
        backend.scopeClosed(this);
    }

    void forget(VTensor tensor) {
        synchronized (tensors) {
            tensors.remove(tensor);
        }
    }

    void checkOpen() {
        if (isClosed()) {
            throw new IllegalStateException("this tensor scope is closed");
        }
        backend.checkOpen();
    }

    private static int checkedCount(Shape shape) {
        long n = shape.elementCount();
        if (n > Integer.MAX_VALUE - 8) {
            throw new IllegalArgumentException("shape " + shape + " has " + n
                    + " elements, more than the vector backend holds in one array");
        }
        return (int) n;
    }
}
