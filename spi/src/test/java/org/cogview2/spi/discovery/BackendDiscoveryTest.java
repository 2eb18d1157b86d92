package org.cogview2.spi.discovery;

import org.cogview2.spi.Backend;
import org.cogview2.spi.BackendException;
import org.cogview2.spi.Backends;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** {@link Backends} with the providers {@link TestProviders} registers through {@link java.util.ServiceLoader}. */
class BackendDiscoveryTest {

    private String savedProperty;
    private Backends backends;

    @BeforeEach
    void clearProperty() {
        savedProperty = System.getProperty(Backends.BACKEND_PROPERTY);
        System.clearProperty(Backends.BACKEND_PROPERTY);
        backends = Backends.discover(BackendDiscoveryTest.class.getClassLoader());
    }

    @AfterEach
    void restoreProperty() {
        if (savedProperty == null) {
            System.clearProperty(Backends.BACKEND_PROPERTY);
        } else {
            System.setProperty(Backends.BACKEND_PROPERTY, savedProperty);
        }
    }

    @Test
    void discoveryListsEveryProviderByPriorityWithItsAvailability() {
        List<Backends.Found> found = backends.list();
        assertEquals(List.of("broken", "beta", "alpha", "gamma", "failing"), found.stream().map(Backends.Found::name).toList());
        Backends.Found beta = found.get(1);
        assertFalse(beta.availability().available());
        assertEquals("no beta device", beta.availability().reason());
        Backends.Found broken = found.getFirst();
        assertFalse(broken.availability().available(), "a throwing availability check means unavailable");
        assertTrue(broken.availability().reason().contains("driver probe exploded"), broken.availability().reason());
        assertTrue(found.get(2).availability().available());
        assertEquals("beta (priority 20): unavailable: no beta device", beta.toString());
    }

    @Test
    void selectsTheBackendNamedByTheCaller() {
        assertEquals("gamma", select("gamma").name());
        assertEquals("alpha", select("alpha").name());
    }

    @Test
    void selectsTheBackendNamedByTheSystemProperty() {
        System.setProperty(Backends.BACKEND_PROPERTY, "gamma");
        assertEquals("gamma", select(null).name());
        // a name given by the caller wins over the property
        assertEquals("alpha", select("alpha").name());
    }

    @Test
    void selectsTheAvailableBackendOfHighestPriorityWhenUnnamed() {
        // broken (30) and beta (20) are unavailable; alpha and gamma tie at 10 and the name decides
        assertEquals("alpha", backends.select().name());
        System.setProperty(Backends.BACKEND_PROPERTY, " ");
        assertEquals("alpha", select(null).name(), "a blank property names nothing");
    }

    @Test
    void aNamedButUnavailableBackendIsAnErrorListingEveryBackendAndReason() {
        BackendException e = assertThrows(BackendException.class, () -> backends.select("beta"));
        String m = e.getMessage();
        assertTrue(m.startsWith("Backend 'beta' cannot run here: no beta device."), m);
        assertListsAll(m);
        System.setProperty(Backends.BACKEND_PROPERTY, "broken");
        BackendException viaProperty = assertThrows(BackendException.class, () -> backends.select(null));
        assertTrue(viaProperty.getMessage().startsWith("Backend 'broken' cannot run here: availability check failed"),
                viaProperty.getMessage());
    }

    @Test
    void anUnknownNameIsAnErrorListingEveryBackend() {
        BackendException e = assertThrows(BackendException.class, () -> backends.select("cuda"));
        assertTrue(e.getMessage().startsWith("No backend named 'cuda'."), e.getMessage());
        assertListsAll(e.getMessage());
    }

    @Test
    void noUsableBackendIsAnErrorListingWhatWasFound() {
        BackendException none = assertThrows(BackendException.class, () -> Backends.of().select());
        assertTrue(none.getMessage().startsWith("No usable backend. Backends found: none"), none.getMessage());
        BackendException allUnavailable = assertThrows(BackendException.class,
                () -> Backends.of(new TestProviders.Beta(), new TestProviders.Broken()).select());
        String m = allUnavailable.getMessage();
        assertTrue(m.startsWith("No usable backend."), m);
        assertTrue(m.contains("beta (priority 20): unavailable: no beta device"), m);
        assertTrue(m.contains("broken (priority 30): unavailable: availability check failed"), m);
    }

    @Test
    void aProviderThatFailsToCreateIsReported() {
        BackendException e = assertThrows(BackendException.class, () -> backends.select("failing"));
        assertTrue(e.getMessage().contains("'failing' failed to start: device busy"), e.getMessage());
        assertInstanceOf(IllegalStateException.class, e.getCause());
    }

    private Backend select(String name) {
        return backends.select(name);
    }

    private static void assertListsAll(String message) {
        for (String entry : List.of("broken (priority 30): unavailable: availability check failed",
                "beta (priority 20): unavailable: no beta device", "alpha (priority 10): available",
                "gamma (priority 10): available", "failing (priority 5): available")) {
            assertTrue(message.contains(entry), "message lacks '" + entry + "': " + message);
        }
    }
}
