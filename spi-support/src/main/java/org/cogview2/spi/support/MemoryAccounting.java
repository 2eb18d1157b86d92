package org.cogview2.spi.support;

import org.cogview2.spi.MemoryStats;

import java.util.concurrent.atomic.AtomicLong;

/**
 * Counts the memory a backend allocates for tensors: live and peak bytes, live tensors, allocations. Thread-safe.
 * {@link AbstractBackend} feeds it with the {@link AbstractTensor#countedBytes()} of every tensor that owns memory;
 * views and zero-copy uploads count nothing.
 */
public final class MemoryAccounting {

    private final AtomicLong liveBytes = new AtomicLong();
    private final AtomicLong peakBytes = new AtomicLong();
    private final AtomicLong liveTensors = new AtomicLong();
    private final AtomicLong allocations = new AtomicLong();

    public void allocated(long bytes) {
        long live = liveBytes.addAndGet(bytes);
        peakBytes.accumulateAndGet(live, Math::max);
        liveTensors.incrementAndGet();
        allocations.incrementAndGet();
    }

    public void released(long bytes) {
        liveBytes.addAndGet(-bytes);
        liveTensors.decrementAndGet();
    }

    public MemoryStats snapshot() {
        return new MemoryStats(liveBytes.get(), peakBytes.get(), liveTensors.get(), allocations.get());
    }
}
