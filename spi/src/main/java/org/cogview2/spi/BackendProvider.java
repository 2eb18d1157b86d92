package org.cogview2.spi;

/**
 * The service a backend module registers in {@code META-INF/services/org.cogview2.spi.BackendProvider}.
 * Providers must be cheap to construct: {@link #availability()} is called for every provider found, also
 * those that are not selected, and must not throw (a missing native library is an unavailability, not an
 * error).
 */
public interface BackendProvider {

    /** The name of the backend, unique among providers. */
    String name();

    /** Higher wins when the user does not name a backend; among equals the name decides, for a stable choice. */
    int priority();

    /** Whether this backend can run here; the reason is shown to users when it cannot. */
    Availability availability();

    /** Creates the backend. Only called when {@link #availability()} said yes. */
    Backend create();
}
