package org.cogview2.backend.cuda;

import org.cogview2.spi.DType;
import org.cogview2.spi.Shape;
import org.cogview2.spi.support.AbstractTensor;

/**
 * A tensor in device memory: a contiguous row-major run of {@code shape.elementCount()} elements starting
 * {@code byteOffset} bytes into a device block. A tensor made by a transfer or a kernel owns its block; a view
 * ({@code reshape}, {@code narrow}) shares the block of its base and becomes unusable once the base is released.
 *
 * <p>Its bytes are counted by {@link CudaBackend} when the block is allocated and released (zero-byte tensors
 * included), so {@link #countedBytes()} stays {@code NOT_COUNTED}.
 */
final class CudaTensor extends AbstractTensor {

    private final CudaBackend backend;
    private volatile DeviceAllocator.Block block;

    /** A tensor owning {@code block}. */
    private CudaTensor(CudaBackend backend, Shape shape, DType dtype, DeviceAllocator.Block block) {
        super(backend, shape, dtype);
        this.backend = backend;
        this.block = block;
    }

    /** A view of {@code of}'s block, {@code extraElements} elements after of's first element. */
    private CudaTensor(CudaTensor of, Shape shape, long extraElements) {
        super(of, shape, extraElements);
        this.backend = of.backend;
        this.block = of.block();
    }

    /** A tensor owning {@code block}. */
    static CudaTensor owning(CudaBackend backend, Shape shape, DType dtype, DeviceAllocator.Block block) {
        return new CudaTensor(backend, shape, dtype, block);
    }

    /** A view of {@code base}'s memory starting {@code extraElements} elements after base's first element. */
    static CudaTensor view(CudaTensor base, Shape shape, long extraElements) {
        return new CudaTensor(base, shape, extraElements);
    }

    /** Size of the elements in bytes. */
    long bytes() {
        return count() * dtype().byteSize();
    }

    long byteOffset() {
        return offset() * dtype().byteSize();
    }

    /** The device block; fails if this tensor (or the base of this view) has been released. */
    DeviceAllocator.Block block() {
        // Read first: the block is dropped only after the tensor was marked closed, so checkLive() then fails.
        DeviceAllocator.Block b = block;
        checkLive();
        return b;
    }

    /** The device address of the first element (0 for an empty tensor). */
    long address() {
        DeviceAllocator.Block b = block();
        return b.address() == 0 ? 0 : b.address() + byteOffset();
    }

    /** A view drops its reference to the block; an owner gives the block back to the backend's allocator. */
    @Override
    protected void releaseMemory() {
        DeviceAllocator.Block b = block;
        block = null;
        if (!isView() && b != null) {
            backend.released(b, bytes());
        }
    }
}
