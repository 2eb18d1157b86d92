package org.cogview2.spi;

import java.util.Set;

/**
 * A compute engine: it owns tensors (possibly in device memory) and runs the {@link Kernels}. One backend
 * instance may serve several threads at once, each working in its own {@link TensorScope}.
 */
public interface Backend extends AutoCloseable {

    /** The name users select it by, e.g. {@code cpu-reference} or {@code cuda}. */
    String name();

    Set<Capability> capabilities();

    /** A new scope for tensors; close it to free them. */
    TensorScope newScope();

    Kernels kernels();

    MemoryStats memoryStats();

    /**
     * Bytes this backend can still allocate for tensors (device memory for a GPU, heap for a JVM backend), or -1 if
     * unknown. The models compare it with their estimate before a run and refuse runs that cannot fit, instead of
     * failing with an out-of-memory error half way.
     */
    default long availableBytes() {
        return -1;
    }

    /** Releases everything this backend holds. Using it afterwards fails. */
    @Override
    void close();
}
