package org.cogview2.backend.cuda;

import org.cogview2.spi.Availability;
import org.cogview2.spi.Backend;
import org.cogview2.spi.BackendException;
import org.cogview2.spi.Backends;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Discovery and availability: these run on every machine, with or without a GPU. */
class CudaBackendProviderTest {

    private static Backends discovered() {
        return Backends.discover(CudaBackendProviderTest.class.getClassLoader());
    }

    @Test
    void serviceLoaderFindsTheCudaProviderAboveTheCpuBackends() {
        Backends.Found cuda = discovered().list().stream()
                .filter(f -> f.name().equals("cuda")).findFirst().orElseThrow();
        assertEquals(100, cuda.provider().priority());
        assertEquals("cuda", discovered().list().getFirst().name(), "cuda has the highest priority");
        Backends.Found reference = discovered().list().stream()
                .filter(f -> f.name().equals("cpu-reference")).findFirst().orElseThrow();
        assertTrue(cuda.provider().priority() > reference.provider().priority());
    }

    @Test
    void availabilityNeverThrowsAndIsStable() {
        CudaBackendProvider provider = new CudaBackendProvider();
        Availability first = provider.availability();
        Availability second = new CudaBackendProvider().availability();
        assertEquals(first, second);
        assertFalse(first.reason().isBlank());
    }

    @Test
    void anUnavailableBackendSaysWhyAndIsNotSelected() {
        Availability a = new CudaBackendProvider().availability();
        if (a.available()) {
            try (Backend b = discovered().select()) {
                assertEquals("cuda", b.name(), "an available GPU wins the automatic choice");
            }
            return;
        }
        KernelBinary binary = KernelBinary.packaged();
        if (!binary.compiled()) {
            assertEquals(binary.reason(), a.reason());
            assertTrue(a.reason().startsWith("kernels were not compiled"), a.reason());
        } else {
            assertFalse(a.reason().startsWith("kernels were not compiled"), a.reason());
        }
        Backends.Found found = discovered().list().stream().filter(f -> f.name().equals("cuda")).findFirst().orElseThrow();
        assertEquals("cuda (priority 100): unavailable: " + a.reason(), found.toString());

        BackendException named = assertThrows(BackendException.class, () -> discovered().select("cuda"));
        assertTrue(named.getMessage().contains("Backend 'cuda' cannot run here: " + a.reason()), named.getMessage());
        try (Backend fallback = discovered().select()) {
            assertNotEquals("cuda", fallback.name());
        }
        BackendException created = assertThrows(BackendException.class, () -> new CudaBackendProvider().create());
        assertTrue(created.getMessage().contains(a.reason()), created.getMessage());
    }

    @Test
    void aMissingDriverLibraryIsReportedAsSuch() {
        UnsatisfiedLinkError e = new UnsatisfiedLinkError("Error while loading native library \"JCudaDriver-12.6.0\"");
        e.initCause(new UnsatisfiedLinkError("libcuda.so.1: cannot open shared object file: No such file or directory"));
        assertEquals("no NVIDIA driver found (libcuda.so.1 could not be loaded)", CudaRuntime.describeLinkageError(e));
        assertTrue(CudaRuntime.describeLinkageError(new NoClassDefFoundError("Could not initialize class X"))
                .contains("could not be initialised earlier"));
    }
}
