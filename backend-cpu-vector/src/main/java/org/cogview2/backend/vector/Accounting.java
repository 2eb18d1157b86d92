package org.cogview2.backend.vector;

import org.cogview2.spi.MemoryStats;

import java.util.concurrent.atomic.AtomicLong;

/** Live and peak bytes of the heap memory the backend allocated; views and mapped uploads are not counted. */
final class Accounting {

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
