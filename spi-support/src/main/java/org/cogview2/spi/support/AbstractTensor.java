package org.cogview2.spi.support;

import org.cogview2.spi.DType;
import org.cogview2.spi.Shape;
import org.cogview2.spi.Tensor;

import java.util.concurrent.atomic.AtomicBoolean;

/**
 * What every backend's tensor handle has in common, written once: shape, dtype, the element offset into its memory,
 * whether it is a view, and a lifetime. A tensor made by a transfer or a kernel owns its memory; a view
 * ({@link AbstractScope#reshape}, {@link AbstractScope#narrow}) shares its base's memory and is unusable once the base
 * is released. A subclass adds only where its elements live (a heap array, a device pointer) and how to let them go.
 *
 * <p>Closing is idempotent and thread-safe; the scope that registered the tensor forgets it, and the backend's
 * {@link MemoryAccounting} is told when an owner that counted bytes is released.
 */
public abstract class AbstractTensor implements Tensor {

    private final AbstractBackend<?, ?> backend;
    private final Shape shape;
    private final DType dtype;
    private final long offset;
    private final long count;
    /** The tensor owning the memory, or null if this one owns it. */
    private final AbstractTensor base;
    private final AtomicBoolean closed = new AtomicBoolean();
    /** The scope that registered this tensor, told when it is closed early. */
    private volatile AbstractScope<?> scope;
    /** Bytes counted in the backend's accounting when registered (owners only), or -1 when not counted. */
    private volatile long counted = NOT_COUNTED;

    /** What {@link #countedBytes()} returns for memory the accounting does not see. */
    protected static final long NOT_COUNTED = -1;

    /** A tensor owning its memory. */
    protected AbstractTensor(AbstractBackend<?, ?> backend, Shape shape, DType dtype) {
        this.backend = backend;
        this.shape = shape;
        this.dtype = dtype;
        this.offset = 0;
        this.count = shape.elementCount();
        this.base = null;
    }

    /** A view of {@code of}'s memory, {@code extraOffset} elements after of's first element. */
    protected AbstractTensor(AbstractTensor of, Shape shape, long extraOffset) {
        this.backend = of.backend;
        this.shape = shape;
        this.dtype = of.dtype;
        this.offset = of.offset + extraOffset;
        this.count = shape.elementCount();
        this.base = of.base != null ? of.base : of;
    }

    /** The backend that made this tensor. */
    public final AbstractBackend<?, ?> backend() {
        return backend;
    }

    @Override
    public final Shape shape() {
        return shape;
    }

    @Override
    public final DType dtype() {
        return dtype;
    }

    /** Number of elements. */
    public final long count() {
        return count;
    }

    /** Element offset of the first element in the memory this tensor shares with its base (0 for an owner). */
    public final long offset() {
        return offset;
    }

    public final boolean isView() {
        return base != null;
    }

    /** The tensor owning the memory: this one, or the base of this view. */
    public final AbstractTensor owner() {
        return base != null ? base : this;
    }

    @Override
    public final boolean isClosed() {
        return closed.get() || (base != null && base.isClosed());
    }

    /**
     * Fails with a clear message if this tensor (or the base of this view) has been released; subclasses call it before
     * handing out their memory.
     */
    protected final void checkLive() {
        if (isClosed()) {
            throw new IllegalStateException("tensor " + describe() + " has been released"
                    + (base != null && base.isClosed() ? " (the tensor it is a view of was closed)" : ""));
        }
    }

    /**
     * The bytes to count in the backend's {@link MemoryAccounting} for an owner (asked once, when registered; an empty
     * tensor counts as a live tensor of 0 bytes), or {@link #NOT_COUNTED} for memory the backend did not allocate (a
     * memory-mapped upload used in place) or accounts for itself.
     */
    protected long countedBytes() {
        return NOT_COUNTED;
    }

    /**
     * Called once when this handle closes: a view drops its reference to the shared memory, an owner frees it (or
     * simply drops it for the garbage collector).
     */
    protected abstract void releaseMemory();

    /** A short description for messages: dtype, shape and whether it is a view, e.g. {@code F32[2, 3] view}. */
    public final String describe() {
        return dtype + shape.toString() + (base != null ? " view" : "");
    }

    final void attach(AbstractScope<?> owner) {
        this.scope = owner;
        if (base == null) {
            long bytes = countedBytes();
            if (bytes >= 0) {
                counted = bytes;
                backend.accounting().allocated(bytes);
            }
        }
    }

    @Override
    public final void close() {
        if (closed.compareAndSet(false, true)) {
            long bytes = counted;
            counted = NOT_COUNTED;
            if (bytes >= 0) {
                backend.accounting().released(bytes);
            }
            releaseMemory();
            AbstractScope<?> owner = scope;
            if (owner != null) {
                owner.forget(this);
            }
        }
    }

    @Override
    public String toString() {
        return getClass().getSimpleName() + describe() + (isClosed() ? " (released)" : "");
    }
}
