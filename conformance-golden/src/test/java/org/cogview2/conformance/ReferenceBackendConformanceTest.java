package org.cogview2.conformance;

import org.cogview2.backend.reference.ReferenceBackend;
import org.cogview2.spi.Backend;

/**
 * The reference backend certifies itself through the JUnit adapter, exactly as a vendor's backend would: every
 * dynamic test must pass. (This is also the example of the one class a vendor writes.)
 */
class ReferenceBackendConformanceTest extends BackendConformanceKit {

    @Override
    protected Backend createBackend() {
        return new ReferenceBackend(2);
    }
}
