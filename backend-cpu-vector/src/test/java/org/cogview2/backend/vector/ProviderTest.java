package org.cogview2.backend.vector;

import org.cogview2.spi.Backend;
import org.cogview2.spi.Backends;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

class ProviderTest {

    @Test
    void discoveryPrefersTheVectorBackendOverTheReference() {
        List<Backends.Found> found = Backends.discover().list();
        assertEquals(VectorBackendProvider.NAME, found.get(0).name(), found.toString());
        assertTrue(found.get(0).availability().available(), found.toString());
        assertTrue(found.stream().anyMatch(f -> f.name().equals("cpu-reference")), found.toString());
        try (Backend b = Backends.discover().select()) {
            assertInstanceOf(VectorBackend.class, b);
            assertEquals("cpu-vector", b.name());
        }
    }

    @Test
    void threadsPropertyIsHonoured() {
        System.setProperty(VectorBackendProvider.THREADS_PROPERTY, "3");
        try (Backend b = new VectorBackendProvider().create()) {
            assertEquals(3, ((VectorBackend) b).threads());
        } finally {
            System.clearProperty(VectorBackendProvider.THREADS_PROPERTY);
        }
    }

    /** A JVM without --add-modules jdk.incubator.vector still finds the provider; it says how to enable it. */
    @Test
    void withoutTheVectorModuleTheProviderIsUnavailableWithAdvice() throws IOException, InterruptedException {
        Path java = Path.of(System.getProperty("java.home"), "bin", "java");
        Process p = new ProcessBuilder(java.toString(), "-cp", System.getProperty("java.class.path"),
                DiscoveryProbe.class.getName())
                .redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertTrue(p.waitFor(60, TimeUnit.SECONDS));
        assertEquals(0, p.exitValue(), out);
        assertTrue(out.contains("cpu-vector (priority 10): unavailable: " + VectorBackendProvider.MISSING_MODULE_REASON),
                out);
        assertTrue(out.contains("selected cpu-reference"), out);
    }
}
