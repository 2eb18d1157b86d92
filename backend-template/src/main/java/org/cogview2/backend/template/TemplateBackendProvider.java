package org.cogview2.backend.template;

import org.cogview2.spi.Availability;
import org.cogview2.spi.Backend;
import org.cogview2.spi.BackendProvider;

/**
 * The {@link java.util.ServiceLoader} entry of the template backend ({@value #NAME}), registered in
 * {@code META-INF/services/org.cogview2.spi.BackendProvider}. Discovery calls {@link #availability()} on every
 * provider it finds, so it must be cheap and never throw: a backend that needs a device or a native library checks
 * for it here and answers {@link Availability#no(String)} with the reason.
 */
public final class TemplateBackendProvider implements BackendProvider {

    /** The name users select the backend by ({@code --backend template}, {@code -Dcogview2.backend=template}). */
    public static final String NAME = "template";

    @Override
    public String name() {
        return NAME;
    }

    /**
     * Below every real backend (the reference has 0): discovery never picks a half-written backend on its own, only
     * when it is named. Raise it once your backend is faster than the others and certified.
     */
    @Override
    public int priority() {
        return -100;
    }

    /** Heap memory and the reference backend are always there. */
    @Override
    public Availability availability() {
        return Availability.yes();
    }

    @Override
    public Backend create() {
        return new TemplateBackend();
    }
}
