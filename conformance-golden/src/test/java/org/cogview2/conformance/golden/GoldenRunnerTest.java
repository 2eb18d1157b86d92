package org.cogview2.conformance.golden;

import org.cogview2.backend.reference.ReferenceBackendProvider;
import org.cogview2.conformance.GoldenData;
import org.cogview2.spi.Backend;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

class GoldenRunnerTest {

    @Test
    void unknown_kind_counts_as_failed_with_unsupported_kind(@TempDir Path dir) throws Exception {
        Path c = Files.createDirectories(dir.resolve("mystery"));
        Files.writeString(c.resolve("case.json"), "{\"name\": \"mystery\", \"kind\": \"teleport\", \"model\": null}");
        StringWriter text = new StringWriter();
        try (Backend backend = new ReferenceBackendProvider().create()) {
            GoldenRunner.Summary summary = new GoldenRunner(Map.of()).run(dir, backend, new PrintWriter(text));
            assertEquals(0, summary.passed());
            assertEquals(1, summary.failed());
        }
        String out = text.toString();
        assertTrue(out.contains("mystery"), out);
        assertTrue(out.contains("unsupported kind"), out);
        assertTrue(out.contains("FAIL"), out);
        assertTrue(out.strip().endsWith("0 passed, 1 failed"), out);
    }

    @Test
    void a_kind_that_throws_fails_its_case_without_stopping_the_run(@TempDir Path dir) throws Exception {
        for (String name : new String[]{"a", "b"}) {
            Path c = Files.createDirectories(dir.resolve(name));
            Files.writeString(c.resolve("case.json"), "{\"name\": \"" + name + "\", \"kind\": \"boom\"}");
        }
        GoldenKind boom = new GoldenKind() {
            @Override
            public String kind() {
                return "boom";
            }

            @Override
            public java.util.List<org.cogview2.conformance.ComparisonResult> run(GoldenCase golden, GoldenContext context) {
                throw new IllegalStateException("exploded on " + golden.name());
            }
        };
        StringWriter text = new StringWriter();
        try (Backend backend = new ReferenceBackendProvider().create()) {
            GoldenRunner.Summary summary = new GoldenRunner(Map.of("boom", boom)).run(dir, backend, new PrintWriter(text));
            assertEquals(2, summary.failed());
        }
        assertTrue(text.toString().contains("exploded on b"), text.toString());
    }

    @Test
    void local_attention_goldens_pass_on_the_reference_backend() {
        Path golden = GoldenData.locate().orElse(null);
        assumeTrue(golden != null, GoldenData.notFoundReason("local_attention_kernel"));
        StringWriter text = new StringWriter();
        try (Backend backend = new ReferenceBackendProvider().create()) {
            GoldenRunner.Summary summary = GoldenRunner.standard().run(golden, backend, new PrintWriter(text),
                    name -> name.equals("local_attention_kernel") || name.equals("sparse_attention_functions"));
            assertEquals(2, summary.outcomes().size(), text.toString());
            assertEquals(2, summary.passed(), text.toString());
        }
        assertFalse(text.toString().contains("FAIL"), text.toString());
    }
}
