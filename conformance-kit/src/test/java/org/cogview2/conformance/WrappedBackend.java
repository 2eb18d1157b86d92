package org.cogview2.conformance;

import org.cogview2.backend.reference.ReferenceBackend;
import org.cogview2.spi.Backend;
import org.cogview2.spi.Capability;
import org.cogview2.spi.Kernels;
import org.cogview2.spi.MemoryStats;
import org.cogview2.spi.Tensor;
import org.cogview2.spi.TensorScope;

import java.util.EnumSet;
import java.util.Set;
import java.util.function.Function;

/** A reference backend in disguise: another name, chosen capabilities, and possibly doctored kernels. */
class WrappedBackend implements Backend {

    /** The element of every layerNorm output that {@link #corruptedLayerNorm} shifts by 1e-3. */
    static final int CORRUPT_INDEX = 5;

    /**
     * The reference backend except that layerNorm adds 1e-3 to element 5 of every result: what the kernel rules and
     * the golden cases must both catch.
     */
    static Backend corruptedLayerNorm() {
        return new WrappedBackend("corrupted-layerNorm", EnumSet.allOf(Capability.class), k -> new DelegatingKernels(k) {
            @Override
            public Tensor layerNorm(TensorScope into, Tensor x, Tensor gamma, Tensor beta, float eps) {
                Tensor y = delegate.layerNorm(into, x, gamma, beta, eps);
                float[] values = into.readFloats(y);
                values[CORRUPT_INDEX] += 1e-3f;
                Tensor corrupted = into.fromFloats(values, y.shape());
                y.close();
                return corrupted;
            }
        });
    }

    private final String name;
    private final Set<Capability> capabilities;
    final ReferenceBackend inner = new ReferenceBackend(2);
    private final Kernels kernels;

    WrappedBackend(String name, Set<Capability> capabilities, Function<Kernels, Kernels> wrap) {
        this.name = name;
        this.capabilities = Set.copyOf(capabilities);
        this.kernels = wrap.apply(inner.kernels());
    }

    @Override
    public String name() {
        return name;
    }

    @Override
    public Set<Capability> capabilities() {
        return capabilities;
    }

    @Override
    public TensorScope newScope() {
        return inner.newScope();
    }

    @Override
    public Kernels kernels() {
        return kernels;
    }

    @Override
    public MemoryStats memoryStats() {
        return inner.memoryStats();
    }

    @Override
    public void close() {
        inner.close();
    }
}
