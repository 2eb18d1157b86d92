package org.cogview2.backend.reference;

import org.cogview2.spi.Availability;
import org.cogview2.spi.Backend;
import org.cogview2.spi.BackendProvider;

/**
 * Registers the pure-Java reference backend ({@value #NAME}) with {@link java.util.ServiceLoader}. It runs
 * everywhere, so it is always available; its priority is 0 so that any accelerated backend on the class path is
 * preferred when the user names none.
 *
 * <p>The number of worker threads is {@link Runtime#availableProcessors()} unless the system property
 * {@value #THREADS_PROPERTY} says otherwise; results do not depend on it.
 */
public final class ReferenceBackendProvider implements BackendProvider {

    /** The backend's name. */
    public static final String NAME = "cpu-reference";

    /** System property with the number of worker threads (a positive integer). */
    public static final String THREADS_PROPERTY = "cogview2.reference.threads";

    @Override
    public String name() {
        return NAME;
    }

    @Override
    public int priority() {
        return 0;
    }

    @Override
    public Availability availability() {
        return Availability.yes();
    }

    @Override
    public Backend create() {
        String threads = System.getProperty(THREADS_PROPERTY);
        if (threads == null || threads.isBlank()) {
            return new ReferenceBackend();
        }
        try {
            return new ReferenceBackend(Integer.parseInt(threads.strip()));
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException(THREADS_PROPERTY + " must be a positive integer, got '" + threads + "'", e);
        }
    }
}
