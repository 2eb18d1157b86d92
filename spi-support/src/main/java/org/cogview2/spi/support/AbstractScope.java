package org.cogview2.spi.support;

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
 * A {@link TensorScope} with its bookkeeping written once: it remembers every tensor it created (transfers, views and
 * kernel outputs written into it), forgets those closed earlier at once (so a long-lived scope does not accumulate dead
 * handles), and releases the rest when it closes. Every transfer and view is checked here (nulls, sizes, dtypes,
 * ownership, released tensors, a closed scope or backend) before the subclass is asked to move bytes, so a subclass
 * only says how elements are allocated, copied in and copied out.
 *
 * @param <T> the backend's tensor class
 */
public abstract class AbstractScope<T extends AbstractTensor> implements TensorScope {

    private final AbstractBackend<T, ?> backend;
    private final Set<AbstractTensor> tensors = Collections.newSetFromMap(new IdentityHashMap<>());
    private boolean closed;

    protected AbstractScope(AbstractBackend<T, ?> backend) {
        this.backend = backend;
    }

    @Override
    public AbstractBackend<T, ?> backend() {
        return backend;
    }

    public final boolean isClosed() {
        synchronized (tensors) {
            return closed;
        }
    }

    // ------------------------------------------------------------------ what a backend provides

    /**
     * New memory for a kernel result of {@code shape.elementCount()} elements (its contents are overwritten by the
     * kernel: they need not be zero). Implementations register the tensor with {@link #register}.
     */
    protected abstract T allocateUnchecked(DType dtype, Shape shape);

    /** A new zero-filled tensor, registered. */
    protected abstract T zerosUnchecked(DType dtype, Shape shape);

    /**
     * A tensor holding the segment's elements (size already checked), registered. The segment may be used in place
     * while it stays alive, or copied.
     */
    protected abstract T uploadUnchecked(MemorySegment littleEndianElements, DType dtype, Shape shape);

    /** A new F32 tensor holding a copy of {@code values} (length already checked), registered. */
    protected abstract T fromFloatsUnchecked(float[] values, Shape shape);

    /** A new I32 tensor holding a copy of {@code values} (length already checked), registered. */
    protected abstract T fromIntsUnchecked(int[] values, Shape shape);

    /** The elements of a live floating tensor of this backend, widened to fp32. */
    protected abstract float[] readFloatsUnchecked(T tensor);

    /** The elements of a live integer tensor of this backend (I64 narrowed). */
    protected abstract int[] readIntsUnchecked(T tensor);

    /** A view of {@code base}'s memory with {@code shape}, {@code extraOffset} elements after base's first (not registered). */
    protected abstract T view(T base, Shape shape, long extraOffset);

    /** The most elements one tensor may hold on this backend (an int-indexed heap array holds a little less than 2^31). */
    protected long maxElements() {
        return Long.MAX_VALUE;
    }

    // ------------------------------------------------------------------ creation

    /** A new tensor for a kernel result (see {@link #allocateUnchecked}), after the scope and size checks. */
    public final T allocate(DType dtype, Shape shape) {
        checkOpen();
        checkedCount(shape);
        return allocateUnchecked(dtype, shape);
    }

    /** {@link #allocate} of an F32 tensor. */
    public final T allocateF32(Shape shape) {
        return allocate(DType.F32, shape);
    }

    /** Registers a new tensor with this scope (and its bytes with the backend's accounting). */
    public final T register(T tensor) {
        synchronized (tensors) {
            if (closed) {
                throw new IllegalStateException("this tensor scope is closed");
            }
            backend.checkOpen();
            tensors.add(tensor);
            tensor.attach(this);
        }
        return tensor;
    }

    @Override
    public final Tensor upload(MemorySegment littleEndianElements, DType dtype, Shape shape) {
        Objects.requireNonNull(littleEndianElements, "upload: segment is null");
        Objects.requireNonNull(dtype, "upload: dtype is null");
        Objects.requireNonNull(shape, "upload: shape is null");
        long n = checkedCount(shape);
        long expected = n * dtype.byteSize();
        if (littleEndianElements.byteSize() != expected) {
            throw new IllegalArgumentException("upload: segment holds " + littleEndianElements.byteSize()
                    + " bytes but " + n + " elements of " + dtype + " for shape " + shape + " need " + expected);
        }
        if (!littleEndianElements.scope().isAlive()) {
            throw new IllegalStateException("upload: the segment's arena is closed");
        }
        checkOpen();
        return uploadUnchecked(littleEndianElements, dtype, shape);
    }

    @Override
    public final Tensor fromFloats(float[] values, Shape shape) {
        Objects.requireNonNull(values, "fromFloats: values is null");
        long n = checkedCount(Objects.requireNonNull(shape, "fromFloats: shape is null"));
        if (values.length != n) {
            throw new IllegalArgumentException("fromFloats: " + values.length + " values given for shape " + shape
                    + " of " + n + " elements");
        }
        checkOpen();
        return fromFloatsUnchecked(values, shape);
    }

    @Override
    public final Tensor fromInts(int[] values, Shape shape) {
        Objects.requireNonNull(values, "fromInts: values is null");
        long n = checkedCount(Objects.requireNonNull(shape, "fromInts: shape is null"));
        if (values.length != n) {
            throw new IllegalArgumentException("fromInts: " + values.length + " values given for shape " + shape
                    + " of " + n + " elements");
        }
        checkOpen();
        return fromIntsUnchecked(values, shape);
    }

    @Override
    public final Tensor zeros(DType dtype, Shape shape) {
        Objects.requireNonNull(dtype, "zeros: dtype is null");
        Objects.requireNonNull(shape, "zeros: shape is null");
        checkOpen();
        checkedCount(shape);
        return zerosUnchecked(dtype, shape);
    }

    // ------------------------------------------------------------------ reading

    @Override
    public final float[] readFloats(Tensor tensor) {
        T t = backend.own("readFloats", "tensor", tensor);
        if (!t.dtype().isFloating()) {
            throw new IllegalArgumentException("readFloats: tensor must be floating (F32, F16 or BF16), got " + t.describe());
        }
        checkReadable("readFloats", t);
        return readFloatsUnchecked(t);
    }

    @Override
    public final int[] readInts(Tensor tensor) {
        T t = backend.own("readInts", "tensor", tensor);
        if (t.dtype().isFloating()) {
            throw new IllegalArgumentException("readInts: tensor must be an integer tensor (I32 or I64), got " + t.describe());
        }
        checkReadable("readInts", t);
        return readIntsUnchecked(t);
    }

    private static void checkReadable(String what, AbstractTensor t) {
        if (t.count() > Integer.MAX_VALUE - 8) {
            throw new IllegalArgumentException(what + ": tensor " + t.describe() + " has " + t.count()
                    + " elements, more than one Java array holds");
        }
    }

    // ------------------------------------------------------------------ views

    @Override
    public final Tensor reshape(Tensor tensor, Shape shape) {
        T t = backend.own("reshape", "tensor", tensor);
        Objects.requireNonNull(shape, "reshape: shape is null");
        if (shape.elementCount() != t.count()) {
            throw new IllegalArgumentException("reshape: shape " + shape + " has " + shape.elementCount()
                    + " elements but the tensor " + t.describe() + " has " + t.count());
        }
        checkOpen();
        return register(view(t, shape, 0));
    }

    @Override
    public final Tensor narrow(Tensor tensor, int start, int length) {
        T t = backend.own("narrow", "tensor", tensor);
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
        return register(view(t, shape.withDim(0, length), start * rowSize));
    }

    // ------------------------------------------------------------------ lifetime

    @Override
    public final void close() {
        List<AbstractTensor> toClose;
        synchronized (tensors) {
            if (closed) {
                return;
            }
            closed = true;
            toClose = new ArrayList<>(tensors);
            tensors.clear();
        }
        // Views first, then the tensors owning memory.
        toClose.sort((a, b) -> Boolean.compare(b.isView(), a.isView()));
        for (AbstractTensor t : toClose) {
            t.close();
        }
        backend.scopeClosed(this);
    }

    /** Called by a tensor of this scope closed on its own. */
    final void forget(AbstractTensor tensor) {
        synchronized (tensors) {
            tensors.remove(tensor);
        }
    }

    /** Fails if this scope or its backend is closed. */
    public final void checkOpen() {
        if (isClosed()) {
            throw new IllegalStateException("this tensor scope is closed");
        }
        backend.checkOpen();
    }

    private long checkedCount(Shape shape) {
        long n = shape.elementCount();
        if (n > maxElements()) {
            throw new IllegalArgumentException("shape " + shape + " has " + n + " elements, more than the "
                    + backend.name() + " backend can hold in one tensor (" + maxElements() + ")");
        }
        return n;
    }
}
