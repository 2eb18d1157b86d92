package org.cogview2.spi;

/**
 * Memory a backend has allocated for tensors (mapped checkpoint data used in place is not counted).
 *
 * @param liveBytes    bytes held by tensors not yet released
 * @param peakBytes    the most {@code liveBytes} has been since the backend was created
 * @param liveTensors  tensors not yet released
 * @param allocations  tensors allocated since the backend was created
 */
public record MemoryStats(long liveBytes, long peakBytes, long liveTensors, long allocations) {
}
