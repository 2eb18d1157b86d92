package org.cogview2.backend.cuda;

/**
 * Device memory as the driver and this backend see it (from {@link CudaBackend#deviceMemory()}).
 *
 * @param freeBytes        free memory on the GPU ({@code cuMemGetInfo}), all processes considered
 * @param totalBytes       the GPU's memory ({@code cuMemGetInfo})
 * @param reservedBytes    what this backend holds from the driver: blocks in use plus its cache
 * @param cachedBytes      released blocks kept for reuse ({@link CudaBackend#releaseCachedMemory()} frees them)
 * @param liveTensorBytes  bytes of the tensors alive now (as in {@code MemoryStats.liveBytes})
 * @param peakTensorBytes  the most {@code liveTensorBytes} has been
 */
public record DeviceMemory(long freeBytes, long totalBytes, long reservedBytes, long cachedBytes, long liveTensorBytes,
                           long peakTensorBytes) {

    /** Whether {@code bytes} more could be allocated now (free memory plus this backend's cache). */
    public boolean fits(long bytes) {
        return bytes <= freeBytes + cachedBytes;
    }

    @Override
    public String toString() {
        return String.format("%s free of %s; this backend: %s reserved (%s cached), tensors %s live, %s peak",
                mib(freeBytes), mib(totalBytes), mib(reservedBytes), mib(cachedBytes), mib(liveTensorBytes),
                mib(peakTensorBytes));
    }

    static String mib(long bytes) {
        return String.format("%.1f MiB", bytes / 1048576.0);
    }
}
