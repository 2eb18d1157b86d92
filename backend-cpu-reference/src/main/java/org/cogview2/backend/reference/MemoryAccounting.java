package org.cogview2.backend.reference;

import org.cogview2.spi.MemoryStats;

import java.util.concurrent.atomic.AtomicLong;

/**
 * Counts the memory the backend allocates for tensors. Only tensors that own heap memory are counted: views and
 * memory-mapped uploads used in place allocate nothing and appear in none of the counters.
 */
final class MemoryAccounting {

    private final AtomicLong liveBytes = new AtomicLong();
    private final AtomicLong peakBytes = new AtomicLong();
    private final AtomicLong liveTensors = new AtomicLong();
    private final AtomicLong allocations = new AtomicLong();

    void allocated(long bytes) {
        long live = liveBytes.addAndGet(bytes);
        peakBytes.accumulateAndGet(live, Math::max);
        liveTensors.incrementAndGet();
        allocations.incrementAndGet();
    }

    void released(long bytes) {
        liveBytes.addAndGet(-bytes);
        liveTensors.decrementAndGet();
    }

    MemoryStats snapshot() {
        return new MemoryStats(liveBytes.get(), peakBytes.get(), liveTensors.get(), allocations.get());
    }
}
