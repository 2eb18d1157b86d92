package org.cogview2.backend.cuda;

import org.cogview2.spi.DType;
import org.cogview2.spi.Shape;
import org.cogview2.spi.Tensor;

import java.util.concurrent.atomic.AtomicBoolean;

/**
 * A tensor in device memory: a contiguous row-major run of {@code shape.elementCount()} elements starting
 * {@code byteOffset} bytes into a device block. A tensor made by a transfer or a kernel owns its block (its
 * {@code base} is null); a view ({@code reshape}, {@code narrow}) shares the block of its base and becomes unusable
 * once the base is released.
 */
final class CudaTensor implements Tensor {

    private final CudaBackend backend;
    private final Shape shape;
    private final DType dtype;
    private final long count;
    private final long byteOffset;
    /** The tensor owning the block, or null if this one owns it. */
    private final CudaTensor base;
    private final AtomicBoolean closed = new AtomicBoolean();
    private volatile DeviceAllocator.Block block;
    /** The scope that registered this tensor, told when it is closed early. */
    private volatile CudaScope scope;

    private CudaTensor(CudaBackend backend, Shape shape, DType dtype, DeviceAllocator.Block block, long byteOffset,
                       CudaTensor base) {
        this.backend = backend;
        this.shape = shape;
        this.dtype = dtype;
        this.block = block;
        this.byteOffset = byteOffset;
        this.base = base;
        this.count = shape.elementCount();
    }

    /** A tensor owning {@code block}. */
    static CudaTensor owning(CudaBackend backend, Shape shape, DType dtype, DeviceAllocator.Block block) {
        return new CudaTensor(backend, shape, dtype, block, 0, null);
    }

    /** A view of {@code base}'s memory starting {@code extraElements} elements after base's first element. */
    static CudaTensor view(CudaTensor base, Shape shape, long extraElements) {
        CudaTensor owner = base.base != null ? base.base : base;
        return new CudaTensor(base.backend, shape, base.dtype, base.block(),
                base.byteOffset + extraElements * base.dtype.byteSize(), owner);
    }

    CudaBackend backend() {
        return backend;
    }

    void attach(CudaScope owner) {
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
    long count() {
        return count;
    }

    /** Size of the elements in bytes. */
    long bytes() {
        return count * dtype.byteSize();
    }

    boolean isView() {
        return base != null;
    }

    /** The tensor owning the memory (this one, or the base of a view). */
    CudaTensor owner() {
        return base != null ? base : this;
    }

    long byteOffset() {
        return byteOffset;
    }

    @Override
    public boolean isClosed() {
        return closed.get() || (base != null && base.isClosed());
    }

    /** The device block; fails if this tensor (or the base of this view) has been released. */
    DeviceAllocator.Block block() {
        DeviceAllocator.Block b = block;
        if (b == null || isClosed()) {
            throw new IllegalStateException("tensor " + describe() + " has been released"
                    + (base != null && base.isClosed() ? " (the tensor it is a view of was closed)" : ""));
        }
        return b;
    }

    /** The device address of the first element (0 for an empty tensor). */
    long address() {
        DeviceAllocator.Block b = block();
        return b.address() == 0 ? 0 : b.address() + byteOffset;
    }

    /** A short description for messages: dtype, shape and whether it is a view. */
    String describe() {
        return dtype + shape.toString() + (base != null ? " view" : "");
    }

    @Override
    public void close() {
        if (closed.compareAndSet(false, true)) {
            DeviceAllocator.Block b = block;
            block = null;
            if (base == null && b != null) {
                backend.released(b, bytes());
            }
            CudaScope owner = scope;
            if (owner != null) {
                owner.forget(this);
            }
        }
    }

    @Override
    public String toString() {
        return "CudaTensor" + describe() + (isClosed() ? " (released)" : "");
    }
}
