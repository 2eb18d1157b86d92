package org.cogview2.conformance;

import org.cogview2.conformance.golden.GoldenRunner;
import org.cogview2.spi.Backend;
import org.junit.jupiter.api.Test;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Path;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/** The model-level golden cases catch a kernel bug the way the kernel rules do. */
class GoldenCasesOnWrongBackendTest {

    @Test
    void a_backend_with_a_wrong_layer_norm_fails_the_coglm_golden_case() {
        Path golden = GoldenData.locate().orElse(null);
        assumeTrue(golden != null, GoldenData.notFoundReason("coglm_forward"));
        StringWriter text = new StringWriter();
        try (Backend backend = WrappedBackend.corruptedLayerNorm()) {
            GoldenRunner.Summary summary = GoldenRunner.standard().run(golden, backend, new PrintWriter(text),
                    name -> name.equals("coglm_forward"));
            assertEquals(1, summary.failed(), text.toString());
        }
        assertTrue(text.toString().contains("coglm_forward") && text.toString().contains("FAIL"), text.toString());
    }
}
