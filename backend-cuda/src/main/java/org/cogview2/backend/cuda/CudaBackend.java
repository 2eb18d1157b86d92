package org.cogview2.backend.cuda;

import org.cogview2.spi.Capability;
import org.cogview2.spi.Kernels;
import org.cogview2.spi.MemoryStats;
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
public final class CudaBackend extends AbstractBackend<CudaTensor, CudaScope> {

    private final Device device;
    private final CudaOptions options;
    private final DeviceAllocator allocator;
    private final Launcher launcher;
    private final PrimitiveKernels kernels;

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
        super(CudaScope.class);
        this.device = device;
        this.options = options;
        device.makeCurrent();
        long total = device.memoryInfo()[1];
        long limit = options.cacheLimitBytes() >= 0 ? options.cacheLimitBytes() : Math.min(total / 4, 4L << 30);
        this.allocator = new DeviceAllocator(device, options.cacheBlocks(), limit);
        this.launcher = new Launcher(device, options.synchronous());
        // The math by family (launches of src/main/cuda), behind the shared host-side checks.
        DenseOps dense = new DenseOps(this);
        NormOps norm = new NormOps(this);
        AttentionOps attention = new AttentionOps(this);
        this.kernels = CheckedKernels.withPrimitives(this,
                new MathFamilies<>(dense, norm, attention, new LookupOps(this), new ImageOps(this, dense),
                        new LayoutOps(this), new SamplingOps(this, norm)),
                new PrimitiveFamilies<>(dense, norm, attention));
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
    protected CudaScope createScope() {
        return new CudaScope(this);
    }

    @Override
    public PrimitiveKernels kernels() {
        return kernels;
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
        MemoryStats tensors = memoryStats();
        return new DeviceMemory(info[0], info[1], allocator.reservedBytes(), allocator.cachedBytes(),
                tensors.liveBytes(), tensors.peakBytes());
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

    /** After every scope closed (their tensors' blocks back in the allocator): returns all device memory. */
    @Override
    protected void shutdown() {
        enter();
        allocator.close();
    }

    @Override
    public String toString() {
        return "CudaBackend[" + device.describe() + (isClosed() ? ", closed" : "") + "]";
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

    /**
     * A device block for a tensor, counted in {@link #memoryStats()} here (by its exact size, zero-byte tensors
     * included) rather than through {@code countedBytes()}, as the device accounting always did.
     */
    DeviceAllocator.Block allocate(long bytes) {
        checkOpen();
        enter();
        DeviceAllocator.Block block = allocator.allocate(bytes);
        accounting().allocated(bytes);
        return block;
    }

    /** Scratch memory for one kernel call (not a tensor: not counted in {@link #memoryStats()}). */
    DeviceAllocator.Block scratch(long bytes) {
        checkOpen();
        enter();
        return allocator.allocate(bytes);
    }

    void releaseScratch(DeviceAllocator.Block block) {
        allocator.release(block);
    }

    /** A tensor's block given back (see {@link #allocate}). */
    void released(DeviceAllocator.Block block, long bytes) {
        accounting().released(bytes);
        device.makeCurrent();
        allocator.release(block);
    }
}
