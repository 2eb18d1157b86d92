package org.cogview2.backend.reference;

import org.cogview2.spi.Capability;
import org.cogview2.spi.Kernels;
import org.cogview2.spi.PrimitiveKernels;
import org.cogview2.spi.TensorScope;
import org.cogview2.spi.support.AbstractBackend;
import org.cogview2.spi.support.CheckedKernels;
import org.cogview2.spi.support.PrimitiveFamilies;
import org.cogview2.spi.support.MathFamilies;

import java.util.Collections;
import java.util.EnumSet;
import java.util.Set;

/**
 * The pure-Java reference backend: the oracle every other backend is certified against.
 *
 * <h2>Semantics</h2>
 * Every {@link Kernels} method does exactly what its javadoc says, in fp32: parameters stored as F16 or BF16 are
 * widened exactly, products and sums are fp32 operations ({@code acc += a * b}, never a fused multiply-add). Where a
 * choice had to be made (the few reductions accumulated in double, tie and NaN orders, cast corner cases) the
 * kernel family classes ({@link DenseKernels}, {@link NormKernels}, {@link AttentionKernels}, {@link LookupKernels},
 * {@link ImageKernels}, {@link LayoutKernels}) state it.
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
 * closed backend) naming the kernel, the argument, and what was expected and found. The checks, the scopes and the
 * tensor lifetimes are the shared ones of {@code cogview2-spi-support} ({@link CheckedKernels} in front of
 * the family classes); this module holds only the math.
 */
public final class ReferenceBackend extends AbstractBackend<ReferenceTensor, ReferenceScope> {

    private final Parallel parallel;
    private final PrimitiveKernels kernels;

    /** A backend using one worker thread per available processor. */
    public ReferenceBackend() {
        this(Runtime.getRuntime().availableProcessors());
    }

    /** A backend using {@code threads} worker threads (1 computes everything on the calling thread). */
    public ReferenceBackend(int threads) {
        super(ReferenceScope.class);
        this.parallel = new Parallel(threads);
        // The math by family (each family class documents the evaluation order of its kernels), behind the checks.
        DenseKernels dense = new DenseKernels(parallel);
        NormKernels norm = new NormKernels(parallel);
        AttentionKernels attention = new AttentionKernels(parallel);
        this.kernels = CheckedKernels.withPrimitives(this,
                new MathFamilies<>(dense, norm, attention, new LookupKernels(parallel), new ImageKernels(parallel),
                        new LayoutKernels(), new SamplingKernels(parallel)),
                new PrimitiveFamilies<>(dense, norm, attention));
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
    protected ReferenceScope createScope() {
        return new ReferenceScope(this);
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

    /** Stops the worker threads (the open scopes are closed first). */
    @Override
    protected void shutdown() {
        parallel.shutdown();
    }

    @Override
    public String toString() {
        return "ReferenceBackend[" + parallel.threads() + " threads" + (isClosed() ? ", closed" : "") + "]";
    }

    Parallel parallel() {
        return parallel;
    }
}
