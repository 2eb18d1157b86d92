package org.cogview2.models.pipeline;

import org.cogview2.models.demo.DemoModels;
import org.cogview2.spi.Backend;
import org.cogview2.api.BackendUnavailableException;
import org.cogview2.spi.Backends;
import org.cogview2.spi.Capability;
import org.cogview2.spi.Kernels;
import org.cogview2.spi.MemoryStats;
import org.cogview2.spi.TensorScope;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.util.EnumSet;
import java.util.Set;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class BackendFitTest {

    /** The reference backend declaring only {@code declared}; counts the scopes opened on it. */
    static final class Declaring implements Backend {
        final Backend delegate;
        final Set<Capability> declared;
        final AtomicInteger scopes = new AtomicInteger();
        final AtomicBoolean closed = new AtomicBoolean();

        Declaring(Backend delegate, Set<Capability> declared) {
            this.delegate = delegate;
            this.declared = declared;
        }

        @Override public String name() { return "partial"; }
        @Override public Set<Capability> capabilities() { return declared; }
        @Override public TensorScope newScope() { scopes.incrementAndGet(); return delegate.newScope(); }
        @Override public Kernels kernels() { return delegate.kernels(); }
        @Override public MemoryStats memoryStats() { return delegate.memoryStats(); }
        @Override public void close() { closed.set(true); delegate.close(); }
    }

    @Test
    void a_backend_without_a_needed_capability_is_refused_by_name_before_anything_is_uploaded(@TempDir Path dir) {
        ModelSources sources = ModelSources.discover(DemoModels.ensure(dir.resolve("demo")), null);
        Declaring partial = new Declaring(Backends.discover().select("cpu-reference"), EnumSet.of(Capability.IMAGE_OPS));
        BackendUnavailableException e = assertThrows(BackendUnavailableException.class, () -> ModelSet.load(sources, partial, true));
        String m = e.getMessage();
        assertTrue(m.contains("backend 'partial'"), m);
        assertTrue(m.contains("LOCAL_ATTENTION (needed by direct super-resolution, iterative super-resolution)"), m);
        assertTrue(m.contains("F16_WEIGHTS (needed by "), "the demo checkpoints are fp16: " + m);
        assertTrue(m.contains(sources.coglm().checkpointFile().toString()), "names the file: " + m);
        assertFalse(m.contains("IMAGE_OPS (needed"), "declared, so not missing: " + m);
        assertFalse(m.contains("BF16_WEIGHTS (needed"), "no bf16 tensor in the demo set: " + m);
        assertEquals(0, partial.scopes.get(), "nothing was uploaded");
        assertTrue(partial.closed.get(), "an owned backend is released on failure");
    }

    @Test
    void every_capability_a_full_set_needs_is_listed_with_its_users(@TempDir Path dir) {
        ModelSources sources = ModelSources.discover(DemoModels.ensure(dir.resolve("demo")), null);
        var needs = BackendFit.needs(sources);
        assertEquals(EnumSet.of(Capability.IMAGE_OPS, Capability.LOCAL_ATTENTION, Capability.F16_WEIGHTS), needs.keySet());
        assertEquals(3, needs.get(Capability.F16_WEIGHTS).size(), "the three transformers (this image tokenizer is fp32): " + needs);
    }

    @Test
    void a_backend_declaring_what_is_needed_loads(@TempDir Path dir) {
        ModelSources sources = ModelSources.discover(DemoModels.ensure(dir.resolve("demo")), null);
        Declaring enough = new Declaring(Backends.discover().select("cpu-reference"),
                EnumSet.of(Capability.IMAGE_OPS, Capability.LOCAL_ATTENTION, Capability.F16_WEIGHTS));
        try (ModelSet set = ModelSet.load(sources, enough, true)) {
            assertEquals("partial", set.backend().name());
        }
    }
}
