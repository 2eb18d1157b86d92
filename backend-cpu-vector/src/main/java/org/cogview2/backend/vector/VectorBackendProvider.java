package org.cogview2.backend.vector;

import org.cogview2.spi.Availability;
import org.cogview2.spi.Backend;
import org.cogview2.spi.BackendProvider;

/**
 * Registers the Vector API backend ({@value #NAME}) with {@link java.util.ServiceLoader}. Its priority (10) is above
 * the reference backend's (0), so it is chosen when the user names no backend and it can run.
 *
 * <p>It needs the incubating module {@code jdk.incubator.vector} in the boot layer. Without
 * {@code --add-modules jdk.incubator.vector} the provider is still found and reports itself unavailable with that
 * advice; this class itself never touches the Vector API.
 *
 * <p>Worker threads: {@link Runtime#availableProcessors()} unless the system property {@value #THREADS_PROPERTY}
 * says otherwise.
 */
public final class VectorBackendProvider implements BackendProvider {

    /** The backend's name. */
    public static final String NAME = "cpu-vector";

    /** System property with the number of worker threads (a positive integer). */
    public static final String THREADS_PROPERTY = "cogview2.vector.threads";

    /** The module the backend needs. */
    static final String VECTOR_MODULE = "jdk.incubator.vector";

    /** The reason shown when the module is missing. */
    public static final String MISSING_MODULE_REASON = "run the JVM with --add-modules " + VECTOR_MODULE;

    @Override
    public String name() {
        return NAME;
    }

    @Override
    public int priority() {
        return 10;
    }

    @Override
    public Availability availability() {
        if (ModuleLayer.boot().findModule(VECTOR_MODULE).isEmpty()) {
            return Availability.no(MISSING_MODULE_REASON);
        }
        try {
            // Loads and initialises the classes that touch the Vector API.
            int lanes = (int) Class.forName("org.cogview2.backend.vector.Simd", true,
                    VectorBackendProvider.class.getClassLoader()).getMethod("floatLanes").invoke(null);
            if (lanes < 4) {
                return Availability.no("the CPU offers no fp32 SIMD of at least 128 bits (" + lanes + " lanes)");
            }
            return Availability.yes();
        } catch (LinkageError e) {
            return Availability.no(MISSING_MODULE_REASON + " (" + e + ")");
        } catch (ReflectiveOperationException | RuntimeException e) {
            Throwable cause = e.getCause() != null ? e.getCause() : e;
            if (cause instanceof LinkageError) {
                return Availability.no(MISSING_MODULE_REASON + " (" + cause + ")");
            }
            return Availability.no("the Vector API could not be initialised: " + cause);
        }
    }

    @Override
    public Backend create() {
        String threads = System.getProperty(THREADS_PROPERTY);
        if (threads == null || threads.isBlank()) {
            return new VectorBackend();
        }
        try {
            return new VectorBackend(Integer.parseInt(threads.strip()));
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException(THREADS_PROPERTY + " must be a positive integer, got '" + threads + "'", e);
        }
    }
}
