package org.cogview2.conformance.golden;

import org.cogview2.conformance.Comparison;
import org.cogview2.conformance.ComparisonResult;
import org.cogview2.conformance.Tolerance;
import org.cogview2.spi.Shape;
import org.cogview2.spi.Tensor;
import org.cogview2.spi.TensorScope;

/** Moving golden arrays onto the backend and comparing results with them. */
final class HostArrays {

    private HostArrays() {
    }

    static Tensor upload(TensorScope s, GoldenCase golden, String key) {
        return s.fromFloats(golden.floats(key), Shape.of(golden.shape(key)));
    }

    /** Compares a backend tensor with a golden float output. */
    static ComparisonResult compare(TensorScope s, GoldenCase golden, String key, Tensor got, Tolerance tolerance) {
        return Comparison.floats(key, golden.shape(key), golden.floats(key), s.readFloats(got), tolerance);
    }

    /** Compares host floats with a golden float output. */
    static ComparisonResult compare(GoldenCase golden, String key, float[] got, Tolerance tolerance) {
        return Comparison.floats(key, golden.shape(key), golden.floats(key), got, tolerance);
    }

    /** Compares host ints with a golden integer output, exactly. */
    static ComparisonResult compareExact(GoldenCase golden, String key, int[] got) {
        return Comparison.ints(key, golden.shape(key), golden.ints(key), got);
    }
}
