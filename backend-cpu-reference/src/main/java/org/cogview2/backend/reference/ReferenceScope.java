package org.cogview2.backend.reference;

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
 * A scope of the reference backend. It remembers every tensor it created (transfers, views and kernel outputs
 * written into it) and releases them all when closed. Tensors closed earlier are forgotten at once, so a long-lived
 * scope does not accumulate dead handles.
 */
final class ReferenceScope implements TensorScope {

    private final ReferenceBackend backend;
    private final Set<ReferenceTensor> tensors = Collections.newSetFromMap(new IdentityHashMap<>());
    private boolean closed;

    ReferenceScope(ReferenceBackend backend) {
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

    // ------------------------------------------------------------------ creation

    /** A new zero-filled heap tensor owned by this scope. */
    ReferenceTensor allocate(DType dtype, Shape shape) {
        int n = checkedCount(shape);
        return register(ReferenceTensor.owning(backend, shape, Storage.allocate(dtype, n)));
    }

    /** A new F32 tensor for a kernel result. */
    ReferenceTensor allocateF32(Shape shape) {
        return allocate(DType.F32, shape);
    }

    /** Registers a tensor with this scope (and counts its memory if it owns heap storage). */
    ReferenceTensor register(ReferenceTensor tensor) {
        synchronized (tensors) {
            if (closed) {
                throw new IllegalStateException("this tensor scope is closed");
            }
            backend.checkOpen();
            if (!tensor.isView() && tensor.storage().owned()) {
                backend.accounting().allocated(tensor.storage().allocatedBytes(tensor.count()));
            }
            tensors.add(tensor);
            tensor.attach(this);
        }
        return tensor;
    }

    @Override
    public Tensor upload(MemorySegment littleEndianElements, DType dtype, Shape shape) {
        Objects.requireNonNull(littleEndianElements, "upload: segment is null");
        Objects.requireNonNull(dtype, "upload: dtype is null");
        Objects.requireNonNull(shape, "upload: shape is null");
        int n = checkedCount(shape);
        long expected = (long) n * dtype.byteSize();
        if (littleEndianElements.byteSize() != expected) {
            throw new IllegalArgumentException("upload: segment holds " + littleEndianElements.byteSize()
                    + " bytes but " + n + " elements of " + dtype + " for shape " + shape + " need " + expected);
        }
        checkOpen();
        Storage.Mapped mapped = new Storage.Mapped(littleEndianElements, dtype);
        if (littleEndianElements.isMapped()) {
            // Zero-copy: the checkpoint's mapped bytes are read (and widened) in place by the kernels.
            return register(ReferenceTensor.owning(backend, shape, mapped));
        }
        // Any other segment may be freed by the caller after the upload: take a heap copy.
        return register(ReferenceTensor.owning(backend, shape, mapped.copyToHeap(0, n)));
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
        return register(ReferenceTensor.owning(backend, shape, new Storage.F32(values.clone())));
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
        return register(ReferenceTensor.owning(backend, shape, new Storage.I32(values.clone())));
    }

    @Override
    public Tensor zeros(DType dtype, Shape shape) {
        Objects.requireNonNull(dtype, "zeros: dtype is null");
        Objects.requireNonNull(shape, "zeros: shape is null");
        checkOpen();
        return allocate(dtype, shape);
    }

    // ------------------------------------------------------------------ reading

    @Override
    public float[] readFloats(Tensor tensor) {
        ReferenceTensor t = backend.own("readFloats", "tensor", tensor);
        if (!t.dtype().isFloating()) {
            throw new IllegalArgumentException("readFloats: tensor must be floating (F32, F16 or BF16), got " + t.describe());
        }
        float[] out = new float[t.count()];
        t.storage().readFloats(t.offset(), out, 0, out.length);
        return out;
    }

    @Override
    public int[] readInts(Tensor tensor) {
        ReferenceTensor t = backend.own("readInts", "tensor", tensor);
        if (t.dtype().isFloating()) {
            throw new IllegalArgumentException("readInts: tensor must be an integer tensor (I32 or I64), got " + t.describe());
        }
        int[] out = new int[t.count()];
        t.storage().readInts(t.offset(), out, 0, out.length);
        return out;
    }

    // ------------------------------------------------------------------ views

    @Override
    public Tensor reshape(Tensor tensor, Shape shape) {
        ReferenceTensor t = backend.own("reshape", "tensor", tensor);
        Objects.requireNonNull(shape, "reshape: shape is null");
        if (shape.elementCount() != t.count()) {
            throw new IllegalArgumentException("reshape: shape " + shape + " has " + shape.elementCount()
                    + " elements but the tensor " + t.describe() + " has " + t.count());
        }
        checkOpen();
        return register(ReferenceTensor.view(t, shape, 0));
    }

    @Override
    public Tensor narrow(Tensor tensor, int start, int length) {
        ReferenceTensor t = backend.own("narrow", "tensor", tensor);
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
        return register(ReferenceTensor.view(t, shape.withDim(0, length), start * rowSize));
    }

    // ------------------------------------------------------------------ lifetime

    @Override
    public void close() {
        List<ReferenceTensor> toClose;
        synchronized (tensors) {
            if (closed) {
                return;
            }
            closed = true;
            toClose = new ArrayList<>(tensors);
            tensors.clear();
        }
        // Views first, then the tensors owning memory (the order only matters for readability of the counters).
        toClose.sort((a, b) -> Boolean.compare(b.isView(), a.isView()));
        for (ReferenceTensor t : toClose) {
            t.close();
        }
        backend.scopeClosed(this);
    }

    /** Called by a tensor of this scope closed on its own. */
    void forget(ReferenceTensor tensor) {
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
                    + " elements, more than the reference backend can hold in one array");
        }
        return (int) n;
    }
}
