package org.cogview2.backend.reference;

import org.cogview2.spi.Backend;
import org.cogview2.spi.Backends;
import org.cogview2.spi.Capability;
import org.junit.jupiter.api.Test;

import java.util.EnumSet;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

class ReferenceBackendProviderTest {

    @Test
    void serviceLoaderFindsTheReferenceBackend() {
        Backends backends = Backends.discover(ReferenceBackendProviderTest.class.getClassLoader());
        Backends.Found found = backends.list().stream()
                .filter(f -> f.name().equals("cpu-reference")).findFirst().orElseThrow();
        assertTrue(found.availability().available());
        assertEquals(0, found.provider().priority());
        try (Backend named = backends.select("cpu-reference")) {
            assertInstanceOf(ReferenceBackend.class, named);
            assertEquals("cpu-reference", named.name());
            assertEquals(EnumSet.allOf(Capability.class), named.capabilities());
        }
    }

    @Test
    void threadCountComesFromTheSystemProperty() {
        String old = System.getProperty(ReferenceBackendProvider.THREADS_PROPERTY);
        System.setProperty(ReferenceBackendProvider.THREADS_PROPERTY, "3");
        try (Backend b = new ReferenceBackendProvider().create()) {
            assertEquals(3, ((ReferenceBackend) b).threads());
        } finally {
            if (old == null) {
                System.clearProperty(ReferenceBackendProvider.THREADS_PROPERTY);
            } else {
                System.setProperty(ReferenceBackendProvider.THREADS_PROPERTY, old);
            }
        }
    }
}
