package org.cogview2.backend.template;

import org.cogview2.conformance.BackendConformanceKit;
import org.cogview2.spi.Backend;

/**
 * The whole certification kit on the template backend, found through discovery by its name as users find it (so a
 * missing or misspelt provider file fails here). Expected verdict: PARTIAL, every required rule passing, the
 * primitive rules skipped (PRIMITIVE_KERNELS is not declared). Report: target/conformance/template/.
 */
class TemplateBackendConformanceTest extends BackendConformanceKit {

    @Override
    protected Backend createBackend() {
        return backendNamed(TemplateBackendProvider.NAME);
    }

    /**
     * The model-level golden cases (a minute of the run) only in a full run: with {@code -Dcogview2.kit.rule=ID}
     * you are working on one kernel and want its rules alone, fast.
     */
    @Override
    protected boolean runsGoldenCases() {
        return System.getProperty(RULE_PROPERTY, "").isBlank();
    }
}
