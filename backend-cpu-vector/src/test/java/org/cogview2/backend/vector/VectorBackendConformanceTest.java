package org.cogview2.backend.vector;

import org.cogview2.conformance.BackendConformanceKit;
import org.cogview2.spi.Backend;

/** The whole certification kit (every rule, the goldens included) against the reference backend. */
class VectorBackendConformanceTest extends BackendConformanceKit {

    @Override
    protected Backend createBackend() {
        return new VectorBackend(2);
    }
}
