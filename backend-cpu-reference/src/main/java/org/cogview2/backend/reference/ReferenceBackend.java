package org.cogview2.backend.reference;

import org.cogview2.spi.Backend;
import org.cogview2.spi.Capability;
import org.cogview2.spi.Kernels;
import org.cogview2.spi.PrimitiveKernels;
import org.cogview2.spi.MemoryStats;
import org.cogview2.spi.Tensor;
import org.cogview2.spi.TensorScope;

import java.util.ArrayList;
import java.util.Collections;
import java.util.EnumSet;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Set;

/**
 * The pure-Java reference backend: the oracle every other backend is certified against.
 *
 * <h2>Semantics</h2>
 * Every {@link Kernels} method does exactly what its javadoc says, in fp32: parameters stored as F16 or BF16 are
 * widened exactly, products and sums are fp32 operations ({@code acc += a * b}, never a fused multiply-add). Where a
 * choice had to be made (the few reductions accumulated in double, tie and NaN orders, cast corner cases) the
 * kernel family classes listed in {@link ReferenceKernels} state it.
 *
 * <h2>Determinism and threads</h2>
 * Each output element is produced by one fixed sequential reduction, index ascending (for example {@code k = 0, 1,
 * ..., K-1} for a dot product). Work is split between threads by <em>output rows only</em>, on a fixed-size
 * {@link java.util.concurrent.ForkJoinPool} owned by the backend: a row is always computed whole by one thread, so the
 * same inputs give bit-identical outputs whatever the thread count.
 *
 * <h2>Memory</h2>
 * Tensors live in heap arrays. {@link TensorScope#upload} of a memory-mapped segment is zero-copy: the segment is kept
 * and its little-endian fp16/bf16/fp32 elements are read (and widened) on the fly; any other segment is copied.
 * Kernels read mapped elements on the calling thread, before any work is handed to worker threads, so a segment
 * mapped in a confined arena works when the kernels are called from the arena's owner thread.
 * Views ({@code reshape}, {@code narrow}) share the memory of their base and fail with an
 * {@link IllegalStateException} once the base is released. {@link #memoryStats()} counts only tensors that own heap
 * memory: views and mapped uploads are not allocations.
 *
 * <h2>Argument checking</h2>
 * Every kernel checks ranks, shapes and dtypes, that tensors belong to this backend and are not released; failures
 * are {@link IllegalArgumentException}s (or {@link IllegalStateException} for released tensors, closed scopes and a
 * closed backend) naming the kernel, the argument, and what was expected and found.
 */
public final class ReferenceBackend implements Backend {

    private final MemoryAccounting accounting = new MemoryAccounting();
    private final Parallel parallel;
    private final ReferenceKernels kernels;
    private final Set<ReferenceScope> openScopes = Collections.newSetFromMap(new IdentityHashMap<>());
    private volatile boolean closed;

    /** A backend using one worker thread per available processor. */
    public ReferenceBackend() {
        this(Runtime.getRuntime().availableProcessors());
    }

    /** A backend using {@code threads} worker threads (1 computes everything on the calling thread). */
    public ReferenceBackend(int threads) {
        this.parallel = new Parallel(threads);
        this.kernels = new ReferenceKernels(this);
    }

    @Override
    public String name() {
        return ReferenceBackendProvider.NAME;
    }

    /** All capabilities: F16 and BF16 weights, local attention, the image operations and the primitive kernels. */
    @Override
    public Set<Capability> capabilities() {
        return Collections.unmodifiableSet(EnumSet.allOf(Capability.class));
    }

    /** Number of worker threads. */
    public int threads() {
        return parallel.threads();
    }

    @Override
    public TensorScope newScope() {
        checkOpen();
        ReferenceScope scope = new ReferenceScope(this);
        synchronized (openScopes) {
            openScopes.add(scope);
        }
        return scope;
    }

    @Override
    public PrimitiveKernels kernels() {
        return kernels;
    }

    @Override
    public long availableBytes() {
        // Tensors live on the Java heap: what the heap can still grow to hold.
        Runtime rt = Runtime.getRuntime();
        return rt.maxMemory() - (rt.totalMemory() - rt.freeMemory());
    }

    @Override
    public MemoryStats memoryStats() {
        return accounting.snapshot();
    }

    /** Closes every open scope (releasing its tensors) and stops the worker threads. Idempotent. */
    @Override
    public void close() {
        List<ReferenceScope> scopes;
        synchronized (openScopes) {
            if (closed) {
                return;
            }
            closed = true;
            scopes = new ArrayList<>(openScopes);
        }
        for (ReferenceScope scope : scopes) {
            scope.close();
        }
        parallel.shutdown();
    }

    @Override
    public String toString() {
        return "ReferenceBackend[" + parallel.threads() + " threads" + (closed ? ", closed" : "") + "]";
    }

    // ------------------------------------------------------------------ package internals

    MemoryAccounting accounting() {
        return accounting;
    }

    Parallel parallel() {
        return parallel;
    }

    void scopeClosed(ReferenceScope scope) {
        synchronized (openScopes) {
            openScopes.remove(scope);
        }
    }

    void checkOpen() {
        if (closed) {
            throw new IllegalStateException("the " + name() + " backend is closed");
        }
    }

    /**
     * {@code tensor} as a tensor of this backend that has not been released.
     *
     * @throws IllegalArgumentException if it is null or belongs to another backend
     * @throws IllegalStateException    if it has been released or this backend is closed
     */
    ReferenceTensor own(String kernel, String argument, Tensor tensor) {
        if (tensor == null) {
            throw new IllegalArgumentException(kernel + ": " + argument + " must not be null");
        }
        if (!(tensor instanceof ReferenceTensor t) || t.backend() != this) {
            throw new IllegalArgumentException(kernel + ": " + argument + " belongs to another backend ("
                    + tensor.getClass().getName() + " " + safeDescribe(tensor) + "); expected a tensor of this "
                    + name() + " backend");
        }
        checkOpen();
        if (t.isClosed()) {
            throw new IllegalStateException(kernel + ": " + argument + " " + t.describe() + " has been released"
                    + (t.isView() ? " (it is a view and its base tensor was closed)" : ""));
        }
        return t;
    }

    /** {@code scope} as an open scope of this backend (the destination of a kernel). */
    ReferenceScope ownScope(String kernel, TensorScope scope) {
        if (scope == null) {
            throw new IllegalArgumentException(kernel + ": destination scope must not be null");
        }
        if (!(scope instanceof ReferenceScope s) || s.backend() != this) {
            throw new IllegalArgumentException(kernel + ": destination scope belongs to another backend ("
                    + scope.getClass().getName() + ")");
        }
        checkOpen();
        if (s.isClosed()) {
            throw new IllegalStateException(kernel + ": destination scope is closed");
        }
        return s;
    }

    private static String safeDescribe(Tensor tensor) {
        try {
            return tensor.dtype() + String.valueOf(tensor.shape());
        } catch (RuntimeException e) {
            return "?";
        }
    }
}
