package org.cogview2.spi;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Objects;
import java.util.ServiceLoader;
import java.util.stream.Collectors;

/**
 * Finds backends with {@link ServiceLoader} and selects one: the one named by the caller, else the one named by
 * the system property {@value #BACKEND_PROPERTY}, else the available backend of highest priority.
 */
public final class Backends {

    /** System property naming the backend to use, e.g. {@code -Dcogview2.backend=cpu-reference}. */
    public static final String BACKEND_PROPERTY = "cogview2.backend";

    /** A provider found on the class path, with its availability checked once. */
    public record Found(BackendProvider provider, Availability availability) {
        public String name() {
            return provider.name();
        }

        @Override
        public String toString() {
            return provider.name() + " (priority " + provider.priority() + "): "
                    + (availability.available() ? "available" : "unavailable: " + availability.reason());
        }
    }

    private final List<BackendProvider> providers;

    private Backends(List<BackendProvider> providers) {
        this.providers = List.copyOf(providers);
    }

    /** Providers registered with the {@link ServiceLoader} of the given class loader. */
    public static Backends discover(ClassLoader loader) {
        List<BackendProvider> found = new ArrayList<>();
        for (BackendProvider p : ServiceLoader.load(BackendProvider.class, loader)) {
            found.add(p);
        }
        return new Backends(found);
    }

    /** Providers registered with the {@link ServiceLoader} of this thread's context class loader. */
    public static Backends discover() {
        return discover(Thread.currentThread().getContextClassLoader());
    }

    /** A fixed set of providers, for embedding and tests. */
    public static Backends of(BackendProvider... providers) {
        return new Backends(List.of(providers));
    }

    /** Every provider, highest priority first, each with its availability. */
    public List<Found> list() {
        return providers.stream()
                .sorted(Comparator.comparingInt(BackendProvider::priority).reversed()
                        .thenComparing(BackendProvider::name))
                .map(p -> new Found(p, safeAvailability(p)))
                .toList();
    }

    /**
     * Creates the backend named by {@code name}, or by the system property if {@code name} is null, or else the
     * available backend of highest priority.
     *
     * @throws BackendException naming every backend found and why it could not be used
     */
    public Backend select(String name) {
        String wanted = name != null ? name : System.getProperty(BACKEND_PROPERTY);
        List<Found> all = list();
        if (wanted != null && !wanted.isBlank()) {
            Found match = all.stream().filter(f -> f.name().equals(wanted)).findFirst()
                    .orElseThrow(() -> new BackendException("No backend named '" + wanted + "'. " + describe(all)));
            if (!match.availability().available()) {
                throw new BackendException("Backend '" + wanted + "' cannot run here: "
                        + match.availability().reason() + ". " + describe(all));
            }
            return create(match.provider());
        }
        return all.stream().filter(f -> f.availability().available()).findFirst()
                .map(f -> create(f.provider()))
                .orElseThrow(() -> new BackendException("No usable backend. " + describe(all)));
    }

    /** Same as {@code select(null)}. */
    public Backend select() {
        return select(null);
    }

    private static Backend create(BackendProvider provider) {
        try {
            return Objects.requireNonNull(provider.create(), "provider returned null");
        } catch (RuntimeException | LinkageError e) {
            throw new BackendException("Backend '" + provider.name() + "' failed to start: " + e.getMessage(), e);
        }
    }

    private static Availability safeAvailability(BackendProvider provider) {
        try {
            return Objects.requireNonNull(provider.availability(), "null availability");
        } catch (RuntimeException | LinkageError e) {
            return Availability.no("availability check failed: " + e);
        }
    }

    private static String describe(List<Found> all) {
        if (all.isEmpty()) {
            return "Backends found: none (add a backend module such as cogview2-backend-cpu-reference to the class path).";
        }
        return "Backends found: " + all.stream().map(Found::toString).collect(Collectors.joining("; ")) + ".";
    }
}
