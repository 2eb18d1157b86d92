package org.cogview2.backend.template;

import org.cogview2.spi.Capability;
import org.cogview2.spi.Kernels;
import org.cogview2.spi.support.AbstractBackend;
import org.cogview2.spi.support.CheckedKernels;

import java.util.Collections;
import java.util.EnumSet;
import java.util.Set;

/**
 * The template backend: tensors in {@link TemplateTensor}s, kernels in {@link TemplateMath} behind the shared
 * argument checks of {@link CheckedKernels}. Everything else (open scopes closed on {@link #close()}, ownership
 * checks with messages naming the kernel and the argument, memory accounting) is {@link AbstractBackend}'s.
 */
public final class TemplateBackend extends AbstractBackend<TemplateTensor, TemplateScope> {

    private final ReferenceFallback fallback;
    private final Kernels kernels;

    public TemplateBackend() {
        super(TemplateScope.class);
        this.fallback = ReferenceFallback.start();
        // CheckedKernels checks every argument once, allocates the result in the caller's scope, then calls the math.
        // CheckedKernels.of (not withPrimitives): the kernels do not implement PrimitiveKernels, so the kit skips the
        // optional primitive rules, as it must for a backend that does not declare PRIMITIVE_KERNELS.
        this.kernels = CheckedKernels.of(this, new TemplateMath(fallback));
    }

    @Override
    public String name() {
        return TemplateBackendProvider.NAME;
    }

    /**
     * What the kit may check and the models may use. Declare only what you implement (here through the fallback):
     * the kit skips, and never passes, the rules of a capability left out, and the models refuse a backend lacking
     * one they need. Not declared: {@link Capability#PRIMITIVE_KERNELS} (building blocks no stage calls).
     */
    @Override
    public Set<Capability> capabilities() {
        return Collections.unmodifiableSet(EnumSet.of(Capability.F16_WEIGHTS, Capability.BF16_WEIGHTS,
                Capability.LOCAL_ATTENTION, Capability.IMAGE_OPS));
    }

    @Override
    public Kernels kernels() {
        return kernels;
    }

    @Override
    protected TemplateScope createScope() {
        return new TemplateScope(this);
    }

    /** Tensors live on the Java heap: what it can still grow to hold (your device's free memory goes here). */
    @Override
    public long availableBytes() {
        Runtime rt = Runtime.getRuntime();
        return rt.maxMemory() - (rt.totalMemory() - rt.freeMemory());
    }

    /** Called once after every scope closed: release the device context here; the reference backend goes too. */
    @Override
    protected void shutdown() {
        fallback.close();
    }

    /** The fallback, for tests that check which kernels still run on the reference. */
    ReferenceFallback fallback() {
        return fallback;
    }
}
