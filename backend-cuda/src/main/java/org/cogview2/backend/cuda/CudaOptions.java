package org.cogview2.backend.cuda;

/**
 * Settings of a {@link CudaBackend}. The defaults are what the conformance kit certifies; system properties (read by
 * {@link #fromSystemProperties()}, which the provider uses) override them:
 * <ul>
 *   <li>{@value #TENSOR_CORES_PROPERTY} ({@code false}): run {@code linear} with F16/BF16 weights on tensor cores
 *       (WMMA, fp32 accumulation). The activations are then rounded to the weight format first, which moves results
 *       by about 1e-3 relative: <b>outside the kit's linear tolerance</b> (64 ulps or 1e-5 + 1e-5·|want|), like
 *       PyTorch's fp16 inference. Off, every product is fp32 with exactly widened weights.</li>
 *   <li>{@value #CACHE_PROPERTY} ({@code true}): keep released device blocks for reuse (see {@link DeviceAllocator}).</li>
 *   <li>{@value #CACHE_LIMIT_PROPERTY} (a quarter of the GPU's memory, at most 4 GiB): bytes the cache may hold.</li>
 *   <li>{@value #SYNC_PROPERTY} ({@code false}): wait for every kernel to finish, so that a failing kernel is named
 *       by the error (for debugging).</li>
 * </ul>
 * The GPU is chosen by {@value CudaRuntime#DEVICE_PROPERTY} (default 0) when CUDA is first set up.
 *
 * @param tensorCores     run F16/BF16-weight {@code linear} on tensor cores (outside the kit's tolerance)
 * @param cacheBlocks     keep released device blocks for reuse
 * @param cacheLimitBytes most bytes kept for reuse; negative: the default for the GPU
 * @param synchronous     synchronise after every kernel
 */
public record CudaOptions(boolean tensorCores, boolean cacheBlocks, long cacheLimitBytes, boolean synchronous) {

    public static final String TENSOR_CORES_PROPERTY = "cogview2.cuda.tensorCores";
    public static final String CACHE_PROPERTY = "cogview2.cuda.cache";
    public static final String CACHE_LIMIT_PROPERTY = "cogview2.cuda.cacheLimitBytes";
    public static final String SYNC_PROPERTY = "cogview2.cuda.sync";

    /** The certified defaults: fp32 SIMT products, block cache on, asynchronous kernels. */
    public static CudaOptions defaults() {
        return new CudaOptions(false, true, -1, false);
    }

    /** The defaults overridden by the system properties above. */
    public static CudaOptions fromSystemProperties() {
        CudaOptions d = defaults();
        return new CudaOptions(
                bool(TENSOR_CORES_PROPERTY, d.tensorCores()),
                bool(CACHE_PROPERTY, d.cacheBlocks()),
                number(CACHE_LIMIT_PROPERTY, d.cacheLimitBytes()),
                bool(SYNC_PROPERTY, d.synchronous()));
    }

    /** These options with tensor cores switched on or off. */
    public CudaOptions withTensorCores(boolean on) {
        return new CudaOptions(on, cacheBlocks, cacheLimitBytes, synchronous);
    }

    private static boolean bool(String key, boolean fallback) {
        String v = System.getProperty(key);
        if (v == null || v.isBlank()) {
            return fallback;
        }
        return switch (v.strip().toLowerCase(java.util.Locale.ROOT)) {
            case "true", "1", "yes", "on" -> true;
            case "false", "0", "no", "off" -> false;
            default -> throw new IllegalArgumentException(key + " must be true or false, got '" + v + "'");
        };
    }

    private static long number(String key, long fallback) {
        String v = System.getProperty(key);
        if (v == null || v.isBlank()) {
            return fallback;
        }
        try {
            return Long.parseLong(v.strip());
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException(key + " must be a number of bytes, got '" + v + "'", e);
        }
    }
}
