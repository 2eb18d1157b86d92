package org.cogview2.backend.cuda;

import org.cogview2.conformance.BackendConformanceKit;
import org.cogview2.spi.Backend;

/**
 * Certifies the cuda backend with the conformance kit, exactly as a vendor would: every kernel rule against the
 * reference backend, plus the golden local-attention cases when the golden data is present. Without a usable GPU the
 * whole class is skipped with the backend's unavailability reason.
 */
@RequiresCuda
class CudaBackendConformanceTest extends BackendConformanceKit {

    @Override
    protected Backend createBackend() {
        return backendNamed(CudaBackendProvider.NAME);
    }
}
