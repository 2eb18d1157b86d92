package org.cogview2.spi.discovery;

import org.cogview2.spi.Backend;
import org.cogview2.spi.Capability;
import org.cogview2.spi.Kernels;
import org.cogview2.spi.MemoryStats;
import org.cogview2.spi.TensorScope;

import java.util.Set;

/** A backend that only has a name: enough to see which provider was selected. */
record StubBackend(String name) implements Backend {

    @Override
    public Set<Capability> capabilities() {
        return Set.of();
    }

    @Override
    public TensorScope newScope() {
        throw new UnsupportedOperationException("stub backend " + name);
    }

    @Override
    public Kernels kernels() {
        throw new UnsupportedOperationException("stub backend " + name);
    }

    @Override
    public MemoryStats memoryStats() {
        return new MemoryStats(0, 0, 0, 0);
    }

    @Override
    public void close() {
    }
}
