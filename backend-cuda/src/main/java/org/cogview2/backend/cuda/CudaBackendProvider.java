package org.cogview2.backend.cuda;

import org.cogview2.spi.Availability;
import org.cogview2.spi.Backend;
import org.cogview2.spi.BackendProvider;

/**
 * Registers the CUDA backend ({@value #NAME}) with {@link java.util.ServiceLoader}. Its priority, {@value #PRIORITY},
 * is above the CPU backends', so it is chosen when the user names no backend and a usable GPU is present.
 *
 * <p>{@link #availability()} never throws: on a machine without an NVIDIA driver, without a GPU of compute capability
 * 8.0 or newer, or with a jar built without nvcc, it answers {@code unavailable} with the reason (for example
 * {@code no NVIDIA driver found (libcuda.so.1 could not be loaded)} or
 * {@code kernels were not compiled (nvcc not found at build time)}). Where a GPU is present the first call sets CUDA
 * up (driver, primary context, kernel module), which takes a moment; the outcome is kept for the process.
 */
public final class CudaBackendProvider implements BackendProvider {

    /** The backend's name. */
    public static final String NAME = "cuda";

    /** Above the CPU backends (the reference backend has 0). */
    public static final int PRIORITY = 100;

    @Override
    public String name() {
        return NAME;
    }

    @Override
    public int priority() {
        return PRIORITY;
    }

    @Override
    public Availability availability() {
        try {
            return CudaRuntime.probe().availability();
        } catch (RuntimeException | LinkageError e) {
            return Availability.no("CUDA could not be set up: " + e);
        }
    }

    /** Creates the backend with the options of the system properties (see {@link CudaOptions}). */
    @Override
    public Backend create() {
        return new CudaBackend(CudaOptions.fromSystemProperties());
    }
}
