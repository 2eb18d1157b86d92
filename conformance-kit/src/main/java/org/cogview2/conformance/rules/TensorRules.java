package org.cogview2.conformance.rules;

import org.cogview2.conformance.CaseContext;
import org.cogview2.conformance.ComparisonResult;
import org.cogview2.conformance.Comparison;
import org.cogview2.conformance.HostTensor;
import org.cogview2.conformance.KernelOp;
import org.cogview2.conformance.Rule;
import org.cogview2.conformance.Tolerance;
import org.cogview2.spi.Backend;
import org.cogview2.spi.Capability;
import org.cogview2.spi.DType;
import org.cogview2.spi.MemoryStats;
import org.cogview2.spi.PrimitiveKernels;
import org.cogview2.spi.Shape;
import org.cogview2.spi.Tensor;
import org.cogview2.spi.TensorScope;

import java.util.List;
import java.util.Set;

import static org.cogview2.spi.Capability.BF16_WEIGHTS;
import static org.cogview2.spi.Capability.F16_WEIGHTS;

/** Transfers, views and scopes: what every kernel rule relies on. Expected values are known exactly. */
final class TensorRules {

    private TensorRules() {
    }

    private static final KernelOp IDENTITY = (k, s, in) -> new Tensor[]{in[0]};

    static List<Rule> rules() {
        return List.of(
                Rule.builder("upload_half_formats_are_widened_exactly_by_readFloats", "tensors")
                        .description("little-endian F16 and BF16 bytes uploaded and read back as fp32 give the exact"
                                + " values of the 16-bit numbers.")
                        .tolerance(Tolerance.EXACT)
                        .check("f16[257] including subnormals and infinities", Set.of(F16_WEIGHTS),
                                c -> roundTrip(c, special(c, 257)))
                        .check("bf16[257]", Set.of(BF16_WEIGHTS), c -> roundTripAs(c, special(c, 257), DType.BF16))
                        .build(),
                Rule.builder("fromFloats_and_fromInts_round_trip_exactly", "tensors")
                        .description("fromFloats/readFloats and fromInts/readInts return the values given, NaN,"
                                + " infinities and subnormals included.")
                        .tolerance(Tolerance.EXACT)
                        .check("f32[257] with special values", c -> roundTripAs(c, special(c, 257), DType.F32))
                        .check("i32[100]", c -> {
                            HostTensor ids = c.ints(Integer.MAX_VALUE, 100);
                            ids.ints()[0] = Integer.MIN_VALUE;
                            ids.ints()[1] = -1;
                            return List.of(c.compare("readInts", ids, c.runOnSubject(IDENTITY, ids)[0], Tolerance.EXACT));
                        })
                        .build(),
                Rule.builder("views_share_memory_with_their_base", "tensors")
                        .description("narrow and reshape make views: a write into the base (copyInto) is seen"
                                + " through them.")
                        .tolerance(Tolerance.EXACT)
                        .check("narrow rows 1..3 of [4,3], reshaped to [6]", c -> {
                            HostTensor src = c.normal(1, 2, 3);
                            HostTensor got = c.runOnSubject((k, s, in) -> {
                                Tensor base = s.zeros(DType.F32, Shape.of(4, 3));
                                Tensor view = s.reshape(s.narrow(base, 1, 2), Shape.of(6));
                                k.copyInto(base, 0, 1, in[0]);
                                return new Tensor[]{view};
                            }, src)[0];
                            return List.of(c.compare("view", HostTensor.f32(new int[]{6}, src.floats()), got, Tolerance.EXACT));
                        })
                        .build(),
                Rule.builder("capabilities_declare_primitive_kernels_exactly_when_offered", "tensors")
                        .description("a backend declares PRIMITIVE_KERNELS if and only if its kernels implement"
                                + " PrimitiveKernels, so that the kit checks what is offered and skips only what is not.")
                        .tolerance(Tolerance.EXACT)
                        .check("capabilities() vs kernels()", TensorRules::primitivesDeclared)
                        .build(),
                Rule.builder("closing_a_scope_releases_its_tensors", "tensors")
                        .description("after a scope closes, MemoryStats shows the live bytes and tensors of before.")
                        .tolerance(Tolerance.EXACT)
                        .check("three tensors, one of them a kernel output", TensorRules::scopeRelease)
                        .build());
    }

    private static List<ComparisonResult> roundTrip(CaseContext c, HostTensor values) {
        return roundTripAs(c, values, DType.F16);
    }

    private static List<ComparisonResult> roundTripAs(CaseContext c, HostTensor values, DType dtype) {
        HostTensor in = values.as(dtype);
        HostTensor got = c.runOnSubject(IDENTITY, in)[0];
        return List.of(c.compare("readFloats", in, got, Tolerance.EXACT));
    }

    /** Normal values plus zeros of both signs, infinities, NaN, tiny (subnormal) and huge values. */
    private static HostTensor special(CaseContext c, int n) {
        float[] v = c.gaussian(n, 100);
        float[] special = {0f, -0f, Float.POSITIVE_INFINITY, Float.NEGATIVE_INFINITY, Float.NaN, 6e-8f, -3e-5f,
                1e-40f, 65504f, -1e38f, Float.MIN_VALUE};
        System.arraycopy(special, 0, v, 0, special.length);
        return HostTensor.f32(new int[]{n}, v);
    }

    private static List<ComparisonResult> primitivesDeclared(CaseContext c) {
        Backend b = c.subject();
        int declared = b.capabilities().contains(Capability.PRIMITIVE_KERNELS) ? 1 : 0;
        int offered = b.kernels() instanceof PrimitiveKernels ? 1 : 0;
        return List.of(Comparison.ints("[declared, offered] (1: yes)", new int[]{2}, new int[]{offered, offered},
                new int[]{declared, offered}));
    }

    private static List<ComparisonResult> scopeRelease(CaseContext c) {
        Backend b = c.subject();
        MemoryStats before = b.memoryStats();
        try (TensorScope scope = b.newScope()) {
            Tensor x = scope.fromFloats(c.gaussian(1000, 1), Shape.of(10, 100));
            b.kernels().add(scope, x, x);
            scope.zeros(DType.F32, Shape.of(7));
        }
        MemoryStats after = b.memoryStats();
        int[] want = {0, 0};
        int[] got = {(int) (after.liveBytes() - before.liveBytes()), (int) (after.liveTensors() - before.liveTensors())};
        return List.of(Comparison.ints("change of [liveBytes, liveTensors] after the scope closed", new int[]{2}, want, got));
    }
}
