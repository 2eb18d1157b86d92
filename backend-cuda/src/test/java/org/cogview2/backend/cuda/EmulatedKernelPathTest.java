package org.cogview2.backend.cuda;

/** {@link KernelPathChecks} with the kernels in the CPU emulation. */
@RequiresEmulator
class EmulatedKernelPathTest extends KernelPathChecks {

    @Override
    CudaBackend createBackend() {
        return new CudaBackend(EmulatedDevice.get(), CudaOptions.defaults());
    }
}
