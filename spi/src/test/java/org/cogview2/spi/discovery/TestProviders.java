package org.cogview2.spi.discovery;

import org.cogview2.spi.Availability;
import org.cogview2.spi.Backend;
import org.cogview2.spi.BackendProvider;

/**
 * Providers registered in this module's test {@code META-INF/services}, covering the cases selection must handle:
 * <pre>
 *   broken   priority 30  availability() throws        -> unavailable
 *   beta     priority 20  unavailable ("no beta device")
 *   alpha    priority 10  available
 *   gamma    priority 10  available (ties with alpha: the name decides)
 *   failing  priority  5  available, create() throws
 * </pre>
 */
public final class TestProviders {

    private TestProviders() {
    }

    abstract static class Simple implements BackendProvider {
        private final String name;
        private final int priority;

        Simple(String name, int priority) {
            this.name = name;
            this.priority = priority;
        }

        @Override
        public String name() {
            return name;
        }

        @Override
        public int priority() {
            return priority;
        }

        @Override
        public Availability availability() {
            return Availability.yes();
        }

        @Override
        public Backend create() {
            return new StubBackend(name);
        }
    }

    public static final class Alpha extends Simple {
        public Alpha() {
            super("alpha", 10);
        }
    }

    public static final class Gamma extends Simple {
        public Gamma() {
            super("gamma", 10);
        }
    }

    public static final class Beta extends Simple {
        public Beta() {
            super("beta", 20);
        }

        @Override
        public Availability availability() {
            return Availability.no("no beta device");
        }

        @Override
        public Backend create() {
            throw new AssertionError("create() must not be called on an unavailable provider");
        }
    }

    public static final class Broken extends Simple {
        public Broken() {
            super("broken", 30);
        }

        @Override
        public Availability availability() {
            throw new IllegalStateException("driver probe exploded");
        }
    }

    public static final class Failing extends Simple {
        public Failing() {
            super("failing", 5);
        }

        @Override
        public Backend create() {
            throw new IllegalStateException("device busy");
        }
    }
}
