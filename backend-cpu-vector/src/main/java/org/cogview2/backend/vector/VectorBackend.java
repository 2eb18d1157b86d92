package org.cogview2.backend.vector;

import org.cogview2.spi.Capability;
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
 * A fast CPU backend on the Vector API ({@code jdk.incubator.vector}), certified against the reference backend
 * ({@code cpu-reference}) by the conformance kit.
 *
 * <h2>What is fast</h2>
 * <ul>
 *   <li>{@code linear}, {@code matmul} and {@code conv2d} (3x3 by {@link Winograd}, others by im2col) run on {@link Gemm}: a
 *   register-tiled, cache-blocked fp32 GEMM with fused multiply-adds, or a packing-free row-dot kernel for the few
 *   rows of a decode step. F16 and BF16 weights are widened exactly inside the kernels, block by block.</li>
 *   <li>{@code attention} is fused (scores, bias, mask, softmax and the weighted values per query and head in one
 *   pass over the key/value cache); with many queries it runs two GEMMs per head. {@code gridAttention} is fused
 *   per cell with vectorised dot products and value sums.</li>
 *   <li>{@code layerNorm}, {@code groupNorm}, {@code softmax}, {@code gelu}, {@code silu}, {@code add},
 *   {@code scale} are vectorised; the other kernels are straightforward loops.</li>
 * </ul>
 *
 * <h2>Numerics</h2>
 * Products are accumulated in fp32 with fused multiply-adds; normalisation statistics and softmax sums in double.
 * {@code exp} and {@code tanh} are this backend's own vector polynomials (a few ulps). {@code add}, {@code scale},
 * {@code cast} and all copies are exact; {@code nearestCode} and {@code topK} follow the reference's evaluation order
 * exactly, so their integer results agree with it.
 *
 * <h2>Determinism and threads</h2>
 * Work runs on a fixed pool of {@link #threads()} threads (the caller included). A kernel's output is cut into units
 * at positions that depend only on the shapes; each output element is computed inside one unit by a fixed sequence of
 * IEEE operations (fixed k-blocking, fixed-order horizontal sums, no transcendental intrinsics). <b>Results are
 * bit-identical for any thread count</b>, and from call to call.
 *
 * <h2>Memory</h2>
 * Tensors live in heap arrays. {@link TensorScope#upload} of a memory-mapped segment is zero-copy: checkpoint weights
 * are read in place, 16-bit weights stay 16-bit and are widened only into small per-thread packing buffers. A mapped
 * segment of a confined arena is only read on the thread that owns it (the kernel then runs on the calling thread).
 * {@link #memoryStats()} counts the heap tensors only; views and mapped uploads are not allocations. The arrays of
 * released large activations are kept (up to a quarter of the heap, at most 1 GiB) and reused, zeroed, for the next
 * tensors of the same size: see {@link ArrayPool}.
 */
public final class VectorBackend extends AbstractBackend<VTensor, VScope> {

    private final Workers workers;
    private final ArrayPool pool;
    private final PrimitiveKernels kernels;

    /** A backend using one thread per available processor. */
    public VectorBackend() {
        this(Runtime.getRuntime().availableProcessors());
    }

    /** A backend using {@code threads} threads in all (1: everything on the calling thread). */
    public VectorBackend(int threads) {
        super(VScope.class);
        this.workers = new Workers(threads);
        this.pool = new ArrayPool(workers, ArrayPool.defaultLimit());
        // The math by family, behind the shared checks.
        Dense dense = new Dense(this);
        Norms norms = new Norms(this);
        Attention attention = new Attention(this);
        this.kernels = CheckedKernels.withPrimitives(this,
                new MathFamilies<>(dense, norms, attention, new Lookup(this), new Images(this), new Layout(),
                        new Sampling(this)),
                new PrimitiveFamilies<>(dense, norms, attention));
    }

    @Override
    public String name() {
        return VectorBackendProvider.NAME;
    }

    /** All capabilities: F16 and BF16 weights, local attention, the image operations and the primitive kernels. */
    @Override
    public Set<Capability> capabilities() {
        return Collections.unmodifiableSet(EnumSet.allOf(Capability.class));
    }

    /** Threads that work on a kernel, the calling one included. */
    public int threads() {
        return workers.threads();
    }

    @Override
    protected VScope createScope() {
        return new VScope(this);
    }

    @Override
    public PrimitiveKernels kernels() {
        return kernels;
    }

    @Override
    protected void shutdown() {
        pool.clear();
        workers.shutdown();
    }

    @Override
    public String toString() {
        return "VectorBackend[" + workers.threads() + " threads, " + Simd.L + " fp32 lanes"
                + (isClosed() ? ", closed" : "") + "]";
    }

    // ------------------------------------------------------------------ package internals

    Workers workers() {
        return workers;
    }

    /** The arrays of released large F32 tensors, reused for new ones. */
    ArrayPool pool() {
        return pool;
    }

    /** Whether the helper threads may read every given tensor (false for a segment of a confined arena). */
    boolean shareable(VTensor... tensors) {
        Thread helper = workers.helper();
        if (helper == null) {
            return true;
        }
        for (VTensor t : tensors) {
            if (t != null && t.store() instanceof Store.Mapped m && !m.segment().isAccessibleBy(helper)) {
                return false;
            }
        }
        return true;
    }
}
