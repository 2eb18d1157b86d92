package org.cogview2.models.pipeline;

import org.cogview2.api.GenerationOptions;
import org.cogview2.api.InsufficientMemoryException;
import org.cogview2.models.demo.DemoModels;
import org.cogview2.spi.Backend;
import org.cogview2.spi.Backends;
import org.cogview2.spi.Capability;
import org.cogview2.spi.Kernels;
import org.cogview2.spi.MemoryStats;
import org.cogview2.spi.TensorScope;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.util.Set;
import java.util.concurrent.atomic.AtomicInteger;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class MemoryGuardTest {

    /** The reference backend, claiming only {@code available} bytes are left. */
    record LimitedBackend(Backend delegate, long available) implements Backend {
        @Override public String name() { return "limited"; }
        @Override public Set<Capability> capabilities() { return delegate.capabilities(); }
        @Override public TensorScope newScope() { return delegate.newScope(); }
        @Override public Kernels kernels() { return delegate.kernels(); }
        @Override public MemoryStats memoryStats() { return delegate.memoryStats(); }
        @Override public long availableBytes() { return available; }
        @Override public void close() { delegate.close(); }
    }

    @Test
    void a_run_that_cannot_fit_is_refused_before_anything_runs_with_the_numbers(@TempDir Path dir) {
        ModelSources sources = ModelSources.discover(DemoModels.ensure(dir.resolve("demo")), null);
        Backend limited = new LimitedBackend(Backends.discover().select("cpu-reference"), 1 << 20);
        try (DefaultPipeline pipeline = new DefaultPipeline(ModelSet.load(sources, limited, true))) {
            AtomicInteger progress = new AtomicInteger();
            InsufficientMemoryException e = assertThrows(InsufficientMemoryException.class, () -> pipeline.generate("a cat",
                    GenerationOptions.builder().samples(4).listener((s, d, t) -> progress.incrementAndGet()).build()));
            assertEquals(0, progress.get(), "nothing ran");
            assertTrue(e.getMessage().contains("generating 4 sample(s) needs about"), e.getMessage());
            assertTrue(e.getMessage().contains("only 1.0 MiB are available"), e.getMessage());
            assertTrue(e.getMessage().contains("super-resolution"), "names the widest stage: " + e.getMessage());
        }
    }

    @Test
    void the_estimate_grows_with_the_samples_and_the_stages() {
        var config = org.cogview2.models.demo.DemoModelsConfig.transformer();
        MemoryEstimate one = MemoryEstimate.stage1(config, 1, 20);
        MemoryEstimate eight = MemoryEstimate.stage1(config, 8, 20);
        long cachePerSample = 2L * config.numLayers() * (20 + 400) * config.attentionWidth() * 4;
        assertEquals(7 * cachePerSample, eight.bytes() - one.bytes(), one + " vs " + eight);
        MemoryEstimate dsr = MemoryEstimate.forward("dsr", config, 4, 4096);
        assertEquals(dsr, MemoryEstimate.largest(one, dsr, MemoryEstimate.forward("itersr", config, 4, 3616)));
    }
}
