package org.cogview2.backend.cuda;

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
import java.util.concurrent.atomic.AtomicLong;

/**
 * The CogView2 SPI on an NVIDIA GPU (compute capability 8.0 or newer) through the CUDA driver API.
 *
 * <h2>Kernels</h2>
 * Our own CUDA kernels ({@code src/main/cuda}), compiled at build time into a fatbin packaged in the jar. Every
 * {@link Kernels} method runs on the device with the semantics of the reference backend: activations fp32, F16/BF16
 * parameters widened exactly, fp32 accumulation; single IEEE operations ({@code add}, {@code scale}, casts, masks,
 * the element-wise part of the normalisations) are evaluated operation by operation as the reference does, so they
 * match it bit for bit; reductions run in a fixed order (results are reproducible run to run) and agree with the
 * reference within the conformance kit's tolerances. Products use a tiled fp32 SIMT GEMM, or a warp-per-column
 * kernel for at most 8 rows (the decode step); {@link CudaOptions#tensorCores()} switches F16/BF16-weight
 * {@code linear} to tensor cores, outside the kit's tolerance. Attention over a KV cache is one fused kernel (scores,
 * mask, softmax, weighted values), and so is the local 2D attention of the super-resolution models.
 *
 * <h2>Memory</h2>
 * Tensors live in plain device allocations (never managed memory). {@link TensorScope#upload} copies from the caller's
 * segment (a memory-mapped checkpoint) straight to the device. {@link #memoryStats()} counts the bytes of live tensors
 * (views allocate nothing); {@link #deviceMemory()} adds the driver's free and total memory and this backend's block
 * cache. To keep only one stage's weights on a small GPU, upload each stage's weights into a scope of their own,
 * close it when the stage is done, call {@link #releaseCachedMemory()}, and check {@link DeviceMemory#fits} before
 * the next stage.
 *
 * <h2>Threads</h2>
 * One backend may be used from several threads, each with its own scopes; all work is queued in order on the
 * context's default stream. Reading results ({@code readFloats}, {@code readInts}) waits for the work before it.
 */
public final class CudaBackend implements Backend {

    private final Device device;
    private final CudaOptions options;
    private final DeviceAllocator allocator;
    private final Launcher launcher;
    private final CudaKernels kernels;
    private final Set<CudaScope> openScopes = Collections.newSetFromMap(new IdentityHashMap<>());
    private final AtomicLong liveBytes = new AtomicLong();
    private final AtomicLong peakBytes = new AtomicLong();
    private final AtomicLong liveTensors = new AtomicLong();
    private final AtomicLong allocations = new AtomicLong();
    private volatile boolean closed;

    /** A backend on the GPU selected when CUDA was set up, with the options of the system properties. */
    public CudaBackend() {
        this(CudaOptions.fromSystemProperties());
    }

    /**
     * A backend with the given options.
     *
     * @throws org.cogview2.spi.BackendException if CUDA is unavailable here (the message says why)
     */
    public CudaBackend(CudaOptions options) {
        this(CudaRuntime.get(), options);
    }

    /** A backend on the given device (the tests run the kernels on a CPU emulation of it). */
    CudaBackend(Device device, CudaOptions options) {
        this.device = device;
        this.options = options;
        device.makeCurrent();
        long total = device.memoryInfo()[1];
        long limit = options.cacheLimitBytes() >= 0 ? options.cacheLimitBytes() : Math.min(total / 4, 4L << 30);
        this.allocator = new DeviceAllocator(device, options.cacheBlocks(), limit);
        this.launcher = new Launcher(device, options.synchronous());
        this.kernels = new CudaKernels(this);
    }

    @Override
    public String name() {
        return CudaBackendProvider.NAME;
    }

    /** All capabilities: F16 and BF16 weights, local attention, the image operations and the primitive kernels. */
    @Override
    public Set<Capability> capabilities() {
        return Collections.unmodifiableSet(EnumSet.allOf(Capability.class));
    }

    @Override
    public TensorScope newScope() {
        checkOpen();
        CudaScope scope = new CudaScope(this);
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
    public MemoryStats memoryStats() {
        return new MemoryStats(liveBytes.get(), peakBytes.get(), liveTensors.get(), allocations.get());
    }

    /** Free device memory plus this backend's cache of released blocks: what tensors can still take. */
    @Override
    public long availableBytes() {
        DeviceMemory m = deviceMemory();
        return m.freeBytes() + m.cachedBytes();
    }

    /** The driver's free and total device memory, and what this backend holds. */
    public DeviceMemory deviceMemory() {
        checkOpen();
        enter();
        long[] info = device.memoryInfo();
        return new DeviceMemory(info[0], info[1], allocator.reservedBytes(), allocator.cachedBytes(), liveBytes.get(),
                peakBytes.get());
    }

    /** Returns the cached (released, kept for reuse) device blocks to the driver. */
    public void releaseCachedMemory() {
        checkOpen();
        enter();
        allocator.releaseCache();
    }

    /** The options this backend runs with. */
    public CudaOptions options() {
        return options;
    }

    /** The GPU, its compute capability, the driver version and how the kernels were loaded. */
    public String deviceDescription() {
        return device.describe() + "; " + KernelBinary.packaged().describe();
    }

    /** Waits until all queued work is done (for timing). */
    public void synchronize() {
        enter();
        device.synchronize();
    }

    /** Closes every open scope (releasing its tensors) and returns all device memory. Idempotent. */
    @Override
    public void close() {
        List<CudaScope> scopes;
        synchronized (openScopes) {
            if (closed) {
                return;
            }
            scopes = new ArrayList<>(openScopes);
        }
        enter();
        for (CudaScope scope : scopes) {
            scope.close();
        }
        synchronized (openScopes) {
            closed = true;
        }
        allocator.close();
    }

    @Override
    public String toString() {
        return "CudaBackend[" + device.describe() + (closed ? ", closed" : "") + "]";
    }

    // ------------------------------------------------------------------ package internals

    Device device() {
        return device;
    }

    Launcher launcher() {
        return launcher;
    }

    /** Makes the CUDA context current on the calling thread. */
    void enter() {
        device.makeCurrent();
    }

    DeviceAllocator.Block allocate(long bytes) {
        checkOpen();
        enter();
        DeviceAllocator.Block block = allocator.allocate(bytes);
        long live = liveBytes.addAndGet(bytes);
        peakBytes.accumulateAndGet(live, Math::max);
        liveTensors.incrementAndGet();
        allocations.incrementAndGet();
        return block;
    }

    /** Scratch memory for one kernel call (not a tensor: not counted in {@link #memoryStats()}). */
    DeviceAllocator.Block scratch(long bytes) {
        checkOpen();
        enter();
        return allocator.allocate(bytes);
    }

    /** The elements of an I32 tensor, copied to the host (for argument checks that need the values). */
    int[] downloadInts(CudaTensor ints) {
        enter();
        java.lang.foreign.MemorySegment host = java.lang.foreign.Arena.ofAuto().allocate(ints.bytes(), 16);
        device.copyToHost(host, ints.address());
        return host.toArray(java.lang.foreign.ValueLayout.JAVA_INT);
    }

    void releaseScratch(DeviceAllocator.Block block) {
        allocator.release(block);
    }

    void released(DeviceAllocator.Block block, long bytes) {
        liveBytes.addAndGet(-bytes);
        liveTensors.decrementAndGet();
        device.makeCurrent();
        allocator.release(block);
    }

    void scopeClosed(CudaScope scope) {
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
    CudaTensor own(String kernel, String argument, Tensor tensor) {
        if (tensor == null) {
            throw new IllegalArgumentException(kernel + ": " + argument + " must not be null");
        }
        if (!(tensor instanceof CudaTensor t) || t.backend() != this) {
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
    CudaScope ownScope(String kernel, TensorScope scope) {
        if (scope == null) {
            throw new IllegalArgumentException(kernel + ": destination scope must not be null");
        }
        if (!(scope instanceof CudaScope s) || s.backend() != this) {
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
