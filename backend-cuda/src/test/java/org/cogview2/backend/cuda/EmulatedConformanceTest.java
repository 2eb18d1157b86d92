package org.cogview2.backend.cuda;

import org.cogview2.conformance.BackendConformanceKit;
import org.cogview2.conformance.Certification;
import org.cogview2.conformance.ModelGoldens;
import org.cogview2.spi.Backend;

import java.nio.file.Path;

/**
 * The conformance kit on the cuda backend's Java code and CUDA kernel sources, with the kernels running in the CPU
 * emulation ({@link EmulatedDevice}) instead of on a GPU. It checks everything but the GPU itself: argument checks,
 * dispatch, launch geometry, argument packing, and what each kernel computes. Real-GPU behaviour (the memory model,
 * the device's transcendental functions, speed, tensor cores) is checked by {@link CudaBackendConformanceTest} and
 * {@code gpu-check.sh} on a GPU machine.
 */
@RequiresEmulator
class EmulatedConformanceTest extends BackendConformanceKit {

    @Override
    protected Backend createBackend() {
        return new CudaBackend(EmulatedDevice.get(), CudaOptions.defaults());
    }

    /** The emulator runs kernels thousands of times slower than a GPU: only the kernel-level golden cases. */
    @Override
    protected boolean includeGoldenCase(ModelGoldens.Case golden) {
        return golden.kind().equals("local_attention");
    }

    @Override
    protected Path reportDirectory(Backend backend) {
        return Certification.defaultReportDirectory("cuda-emulated");
    }
}
