package org.cogview2.backend.template;

import org.cogview2.conformance.CaseResult;
import org.cogview2.conformance.CertificationReport;
import org.cogview2.conformance.ConformanceSuite;
import org.cogview2.spi.Backends;
import org.cogview2.spi.DType;
import org.cogview2.spi.Kernels;
import org.cogview2.spi.PrimitiveKernels;
import org.cogview2.spi.Shape;
import org.cogview2.spi.Tensor;
import org.cogview2.spi.TensorScope;
import org.junit.jupiter.api.Test;

import java.lang.foreign.MemorySegment;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** What the kit cannot see: which kernels this backend computes itself, and how its tiers and lifetime work. */
class TemplateBackendTest {

    /** The kernels this backend computes itself: add a call of each kernel you write. */
    @Test
    void own_kernels_make_no_reference_call() {
        try (TemplateBackend backend = new TemplateBackend(); TensorScope scope = backend.newScope()) {
            Kernels k = backend.kernels();
            Tensor x = scope.fromFloats(new float[]{-2f, -0.5f, 0f, 0.5f, 1f, 3f}, Shape.of(2, 3));
            // A half-precision b, as the kit's add_half_precision_b rule passes: 1.5 and -0.25 are exact in bf16.
            Tensor b = scope.upload(bf16(1.5f, 0f, -0.25f), DType.BF16, Shape.of(3));
            long before = backend.fallback().calls();

            float[] sum = scope.readFloats(k.add(scope, x, b));
            float[] gelu = scope.readFloats(k.gelu(scope, x));
            float[] silu = scope.readFloats(k.silu(scope, x));
            assertEquals(before, backend.fallback().calls(), "add, gelu and silu must be computed by the backend itself");

            assertArrayEquals(new float[]{-0.5f, -0.5f, -0.25f, 2f, 1f, 2.75f}, sum);
            assertEquals(0f, gelu[2]);
            assertEquals(1f / (1f + (float) Math.exp(-1.0)), silu[4], 1e-7f);
        }
    }

    /** The counter above is not vacuous. Once you write linear, name a kernel still delegated (or delete the test). */
    @Test
    void a_delegated_kernel_makes_one_reference_call() {
        try (TemplateBackend backend = new TemplateBackend(); TensorScope scope = backend.newScope()) {
            Tensor x = scope.fromFloats(new float[]{1, 2, 3, 4, 5, 6}, Shape.of(2, 3));
            Tensor w = scope.fromFloats(new float[]{1, 0, -1}, Shape.of(1, 3));
            long before = backend.fallback().calls();
            assertArrayEquals(new float[]{-2, -2}, scope.readFloats(backend.kernels().linear(scope, x, w, null)));
            assertEquals(before + 1, backend.fallback().calls());
        }
    }

    @Test
    void copyInto_writes_the_reference_result_back_into_dst() {
        try (TemplateBackend backend = new TemplateBackend(); TensorScope scope = backend.newScope()) {
            Tensor dst = scope.zeros(DType.F32, Shape.of(2, 4));
            Tensor src = scope.fromFloats(new float[]{1, 2, 3, 4}, Shape.of(2, 2));
            backend.kernels().copyInto(dst, 1, 1, src);
            assertArrayEquals(new float[]{0, 1, 2, 0, 0, 3, 4, 0}, scope.readFloats(dst));
        }
    }

    @Test
    void a_capability_not_declared_skips_its_rules_and_never_passes_them() {
        try (TemplateBackend backend = new TemplateBackend()) {
            assertFalse(backend.kernels() instanceof PrimitiveKernels, "PRIMITIVE_KERNELS is not declared");
            CertificationReport report = ConformanceSuite.standard()
                    .only(List.of("optional_matmul_is_a_batched_fp32_product", "required_gelu_is_the_tanh_approximation_in_fp32"))
                    .run(backend);
            List<CaseResult> matmul = report.results().stream().filter(r -> r.kernel().equals("matmul")).toList();
            assertFalse(matmul.isEmpty());
            assertTrue(matmul.stream().allMatch(CaseResult::skipped), "matmul cases must be skipped: " + matmul);
            assertTrue(matmul.getFirst().message().contains("PRIMITIVE_KERNELS"), matmul.getFirst().message());
            assertTrue(report.results().stream().filter(r -> r.kernel().equals("gelu")).allMatch(CaseResult::passed));
            assertEquals("PARTIAL", report.verdict());
        }
    }

    @Test
    void discovery_finds_it_by_name_only_and_closing_it_closes_the_reference() {
        try (var best = Backends.discover().select()) {
            assertNotEquals(TemplateBackendProvider.NAME, best.name(), "priority -100: never chosen unless named");
        }
        TemplateBackend backend = (TemplateBackend) Backends.discover().select(TemplateBackendProvider.NAME);
        backend.close();
        assertThrows(IllegalStateException.class, () -> backend.fallback().reference().newScope());
    }

    /** bfloat16 bits of values exact in bf16, little-endian, as a checkpoint holds them. */
    private static MemorySegment bf16(float... values) {
        MemorySegment segment = MemorySegment.ofArray(new byte[2 * values.length]);
        for (int i = 0; i < values.length; i++) {
            segment.setAtIndex(TemplateTensor.HALF, i, (short) (Float.floatToRawIntBits(values[i]) >>> 16));
        }
        return segment;
    }
}
