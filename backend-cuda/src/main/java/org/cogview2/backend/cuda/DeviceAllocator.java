package org.cogview2.backend.cuda;

import org.cogview2.spi.BackendException;

import java.util.ArrayDeque;
import java.util.HashMap;
import java.util.Map;

/**
 * Plain device allocations ({@code cuMemAlloc}; never managed memory) with a cache of released blocks: a decode step
 * allocates the same activation sizes again and again, and {@code cuMemFree} synchronises the device. Sizes up to
 * {@value #LARGEST_CACHED} bytes are rounded up to one of a few buckets per power of two (at most 12.5% more) and kept
 * for reuse after release, up to a cap; larger blocks (weights) are allocated exactly and freed at once. When an
 * allocation fails the cache is emptied and the allocation retried once.
 *
 * <p>Reuse is safe without events because every kernel and copy runs in order on one stream (see {@link Launcher}).
 */
final class DeviceAllocator {

    /** Largest block kept for reuse after release. */
    static final long LARGEST_CACHED = 256L << 20;
    /** Smallest rounding step. */
    static final long MIN_ROUND = 512;

    /** A device allocation; address 0 for an empty block (zero bytes). */
    record Block(long address, long size) {
    }

    private final Device device;
    private final boolean caching;
    private final long cacheLimit;
    private final Map<Long, ArrayDeque<Block>> free = new HashMap<>();
    private long cachedBytes;
    private long reservedBytes;
    private long inUseBytes;
    private boolean closed;

    /**
     * @param caching    whether released blocks are kept for reuse
     * @param cacheLimit most bytes kept in the cache
     */
    DeviceAllocator(Device device, boolean caching, long cacheLimit) {
        this.device = device;
        this.caching = caching;
        this.cacheLimit = cacheLimit;
    }

    /** The size actually allocated for a request of {@code bytes}. */
    static long roundUp(long bytes) {
        if (bytes <= 0) {
            return 0;
        }
        long step = MIN_ROUND;
        if (bytes > (1L << 20) && bytes <= LARGEST_CACHED) {
            step = Math.max(MIN_ROUND, Long.highestOneBit(bytes) >> 3);
        }
        return (bytes + step - 1) / step * step;
    }

    /** A block of at least {@code bytes}; its contents are undefined. */
    synchronized Block allocate(long bytes) {
        if (closed) {
            throw new IllegalStateException("the cuda backend is closed");
        }
        long size = roundUp(bytes);
        if (size == 0) {
            return new Block(0, 0);
        }
        if (caching && size <= LARGEST_CACHED) {
            ArrayDeque<Block> bucket = free.get(size);
            if (bucket != null && !bucket.isEmpty()) {
                Block b = bucket.pop();
                cachedBytes -= b.size();
                inUseBytes += b.size();
                return b;
            }
        }
        long address;
        try {
            address = device.allocate(size);
        } catch (Device.OutOfDeviceMemory e) {
            if (cachedBytes == 0) {
                throw outOfMemory(size);
            }
            releaseCache();
            try {
                address = device.allocate(size);
            } catch (Device.OutOfDeviceMemory again) {
                throw outOfMemory(size);
            }
        }
        reservedBytes += size;
        inUseBytes += size;
        return new Block(address, size);
    }

    private BackendException outOfMemory(long size) {
        String info;
        try {
            long[] m = device.memoryInfo();
            info = DeviceMemory.mib(m[0]) + " free of " + DeviceMemory.mib(m[1]) + " on the GPU";
        } catch (RuntimeException e) {
            info = "device memory information unavailable";
        }
        return new BackendException("cuda: out of device memory allocating " + size + " bytes (" + inUseBytes
                + " bytes in use by this backend; " + info + ")");
    }

    /** Gives a block back: into the cache, or to the driver. */
    synchronized void release(Block block) {
        if (block.address() == 0) {
            return;
        }
        inUseBytes -= block.size();
        if (!closed && caching && block.size() <= LARGEST_CACHED && cachedBytes + block.size() <= cacheLimit) {
            free.computeIfAbsent(block.size(), s -> new ArrayDeque<>()).push(block);
            cachedBytes += block.size();
            return;
        }
        freeBlock(block);
    }

    /** Frees every cached block. */
    synchronized void releaseCache() {
        for (ArrayDeque<Block> bucket : free.values()) {
            for (Block b : bucket) {
                freeBlock(b);
            }
        }
        free.clear();
        cachedBytes = 0;
    }

    /** Frees the cache and refuses further allocations; blocks still in use are freed as they are released. */
    synchronized void close() {
        releaseCache();
        closed = true;
    }

    private void freeBlock(Block b) {
        reservedBytes -= b.size();
        device.free(b.address());
    }

    /** Bytes held from the driver: in use plus cached. */
    synchronized long reservedBytes() {
        return reservedBytes;
    }

    synchronized long cachedBytes() {
        return cachedBytes;
    }

    synchronized long inUseBytes() {
        return inUseBytes;
    }
}
