package org.cogview2.backend.cuda;

import java.lang.foreign.MemorySegment;

/**
 * What the backend needs from a GPU, in raw 64-bit device addresses: allocations, copies, kernel launches. The
 * implementation is {@link CudaRuntime} (the CUDA driver API through JCuda); the tests add a CPU emulation of the
 * same kernels, so that the Java side and the kernels' logic can be checked on machines without a GPU.
 */
interface Device {

    /** One line: the device, its capabilities and how the kernels were loaded. */
    String describe();

    /** Streaming multiprocessors (for choosing tile sizes). */
    int multiprocessors();

    /** The most shared memory (static plus dynamic) one block may use after opting in, in bytes. */
    int maxSharedOptin();

    /** Makes the device current on the calling thread (the CUDA context). */
    void makeCurrent();

    /** A new plain device allocation of {@code bytes} (> 0), or {@link OutOfDeviceMemory}. */
    long allocate(long bytes);

    /** Frees an allocation made by {@link #allocate}. */
    void free(long address);

    /** Copies {@code src} (a native segment) to device memory at {@code dst}; returns when {@code src} may be reused. */
    void copyToDevice(long dst, MemorySegment src);

    /** Copies {@code dst.byteSize()} bytes at {@code src} into {@code dst} (a native segment), after all queued work. */
    void copyToHost(MemorySegment dst, long src);

    /** Sets {@code bytes} bytes at {@code dst} to zero (queued in order with the kernels). */
    void fillZero(long dst, long bytes);

    /**
     * Queues {@code kernel} on a {@code gridX x gridY x gridZ} grid of {@code block}-thread blocks. {@code args} match
     * {@link Kernel#params()}: {@code Long} for PTR and I64, {@code Integer} for I32, {@code Float} for F32,
     * {@code long[17]} for PERMUTE.
     */
    void launch(Kernel kernel, int gridX, int gridY, int gridZ, int block, int sharedBytes, Object[] args);

    /** Static shared memory of a kernel, in bytes. */
    int staticShared(Kernel kernel);

    /** Lets a kernel use up to {@code bytes} of dynamic shared memory (beyond the default 48 KiB total). */
    void allowDynamicShared(Kernel kernel, int bytes);

    /** Waits until all queued work is done. */
    void synchronize();

    /** {free, total} device memory in bytes. */
    long[] memoryInfo();

    /** An allocation failed for lack of device memory. */
    final class OutOfDeviceMemory extends RuntimeException {
        OutOfDeviceMemory(String message) {
            super(message);
        }
    }
}
