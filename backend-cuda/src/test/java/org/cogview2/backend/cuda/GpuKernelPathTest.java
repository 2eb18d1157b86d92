package org.cogview2.backend.cuda;

import org.cogview2.conformance.Comparison;
import org.cogview2.conformance.ComparisonResult;
import org.cogview2.conformance.Tolerance;
import org.cogview2.spi.DType;
import org.cogview2.spi.Shape;
import org.cogview2.spi.Tensor;
import org.cogview2.spi.TensorScope;
import org.junit.jupiter.api.Test;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteOrder;
import java.util.SplittableRandom;

import static org.junit.jupiter.api.Assertions.assertTrue;

/** {@link KernelPathChecks} on a GPU, plus the opt-in tensor-core path. Skipped without a usable GPU. */
@RequiresCuda
class GpuKernelPathTest extends KernelPathChecks {

    @Override
    CudaBackend createBackend() {
        return new CudaBackend(CudaOptions.fromSystemProperties().withTensorCores(false));
    }

    /**
     * Tensor cores round the activations to the weights' 16-bit format, so they are only within ~1e-2 relative of the
     * fp32 path (outside the conformance kit's tolerance, by design).
     */
    @Test
    void tensorCoreLinearIsCloseToTheFp32Path() {
        SplittableRandom random = new SplittableRandom(7);
        int m = 200;
        int k = 256;
        int n = 136;
        float[] x = new float[m * k];
        for (int i = 0; i < x.length; i++) {
            x[i] = (float) random.nextGaussian();
        }
        for (DType dtype : new DType[]{DType.F16, DType.BF16}) {
            try (CudaBackend tc = new CudaBackend(CudaOptions.defaults().withTensorCores(true));
                 CudaBackend fp32 = new CudaBackend(CudaOptions.defaults());
                 Arena arena = Arena.ofConfined()) {
                MemorySegment w = arena.allocate(2L * n * k, 2);
                for (int i = 0; i < n * k; i++) {
                    float v = (float) (random.nextGaussian() / 16);
                    int b = Float.floatToRawIntBits(v);
                    short bits = dtype == DType.F16 ? Float.floatToFloat16(v) : (short) ((b + 0x7FFF + ((b >>> 16) & 1)) >>> 16);
                    w.setAtIndex(ValueLayout.JAVA_SHORT_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN), i, bits);
                }
                float[] want = linear(fp32, x, m, k, w, dtype, n);
                float[] got = linear(tc, x, m, k, w, dtype, n);
                ComparisonResult r = Comparison.floats("tensor-core linear " + dtype, new int[]{m, n}, want, got,
                        Tolerance.absRel(dtype == DType.F16 ? 5e-3 : 3e-2, 2e-2));
                assertTrue(r.passed(), r.describe());
            }
        }
    }

    private static float[] linear(CudaBackend b, float[] x, int m, int k, MemorySegment w, DType dtype, int n) {
        try (TensorScope s = b.newScope()) {
            Tensor xt = s.fromFloats(x, Shape.of(m, k));
            Tensor wt = s.upload(w, dtype, Shape.of(n, k));
            return s.readFloats(b.kernels().linear(s, xt, wt, null));
        }
    }
}
