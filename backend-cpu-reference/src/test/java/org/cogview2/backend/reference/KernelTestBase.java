package org.cogview2.backend.reference;

import org.cogview2.spi.DType;
import org.cogview2.spi.PrimitiveKernels;
import org.cogview2.spi.Shape;
import org.cogview2.spi.Tensor;
import org.cogview2.spi.TensorScope;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteOrder;

/** A backend (two threads) and a scope per test, with small helpers to build and read tensors. */
abstract class KernelTestBase {

    ReferenceBackend backend;
    TensorScope scope;
    PrimitiveKernels k;

    @BeforeEach
    void openBackend() {
        backend = new ReferenceBackend(2);
        scope = backend.newScope();
        k = backend.kernels();
    }

    @AfterEach
    void closeBackend() {
        backend.close();
    }

    static Shape s(int... dims) {
        return Shape.of(dims);
    }

    static float[] f(float... values) {
        return values;
    }

    Tensor t(Shape shape, float... values) {
        return scope.fromFloats(values, shape);
    }

    Tensor ints(Shape shape, int... values) {
        return scope.fromInts(values, shape);
    }

    float[] read(Tensor tensor) {
        return scope.readFloats(tensor);
    }

    /** An F16 or BF16 tensor holding {@code values} rounded to that format, uploaded from a heap segment. */
    Tensor half(DType dtype, Shape shape, float... values) {
        MemorySegment seg = MemorySegment.ofArray(new byte[values.length * 2]);
        for (int i = 0; i < values.length; i++) {
            seg.set(ValueLayout.JAVA_SHORT_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN), 2L * i,
                    HalfFloats.narrow(values[i], dtype));
        }
        return scope.upload(seg, dtype, shape);
    }

    /** Deterministic pseudo-random values in [-1, 1). */
    static float[] random(long seed, int n) {
        java.util.SplittableRandom r = new java.util.SplittableRandom(seed);
        float[] v = new float[n];
        for (int i = 0; i < n; i++) {
            v[i] = (float) (r.nextDouble() * 2 - 1);
        }
        return v;
    }
}
