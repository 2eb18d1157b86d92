package org.cogview2.backend.vector.bench;

import org.cogview2.backend.reference.ReferenceBackend;
import org.cogview2.backend.vector.VectorBackend;
import org.cogview2.spi.Backend;
import org.cogview2.spi.DType;
import org.cogview2.spi.Shape;
import org.cogview2.spi.Tensor;
import org.cogview2.spi.TensorScope;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteOrder;

/** One way of computing {@code x . w^T}: a cogview2 backend, or libtorch through DJL. */
public interface GemmImpl extends AutoCloseable {

    /** Prepares inputs (outside the timed region). */
    void setup(GemmShape shape, float[] x, float[] w);

    /** One product; returns something derived from the result so that it cannot be optimised away. */
    Object run();

    @Override
    void close();

    /** Implementations by name: vector, vector-f16, vector-bf16, reference, libtorch (needs -Ddjl at build time). */
    static GemmImpl named(String name, int threads) {
        return switch (name) {
            case "vector" -> new OnBackend(new VectorBackend(threads), DType.F32);
            case "vector-f16" -> new OnBackend(new VectorBackend(threads), DType.F16);
            case "vector-bf16" -> new OnBackend(new VectorBackend(threads), DType.BF16);
            case "reference" -> new OnBackend(new ReferenceBackend(threads), DType.F32);
            case "libtorch" -> {
                try {
                    yield (GemmImpl) Class.forName("org.cogview2.backend.vector.bench.djl.LibtorchGemm")
                            .getConstructor(int.class).newInstance(threads);
                } catch (ReflectiveOperationException | LinkageError e) {
                    throw new IllegalStateException("libtorch through DJL is not on the class path (build with -Ddjl)", e);
                }
            }
            default -> throw new IllegalArgumentException("unknown implementation " + name);
        };
    }

    /** {@code kernels().linear(x, w, null)} on a cogview2 backend; 16-bit weights uploaded as such. */
    final class OnBackend implements GemmImpl {
        private final Backend backend;
        private final DType weightType;
        private final Arena arena = Arena.ofShared();
        private TensorScope weights;
        private Tensor xt;
        private Tensor wt;

        OnBackend(Backend backend, DType weightType) {
            this.backend = backend;
            this.weightType = weightType;
        }

        @Override
        public void setup(GemmShape s, float[] x, float[] w) {
            weights = backend.newScope();
            xt = weights.fromFloats(x, Shape.of(s.m(), s.k()));
            if (weightType == DType.F32) {
                wt = weights.fromFloats(w, Shape.of(s.n(), s.k()));
            } else {
                MemorySegment seg = arena.allocate(2L * w.length, 2);
                ValueLayout.OfShort le = ValueLayout.JAVA_SHORT_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);
                for (int i = 0; i < w.length; i++) {
                    int bits = Float.floatToRawIntBits(w[i]);
                    short h = weightType == DType.F16 ? Float.floatToFloat16(w[i])
                            : (short) ((bits + 0x7FFF + ((bits >>> 16) & 1)) >>> 16);
                    seg.set(le, 2L * i, h);
                }
                wt = weights.upload(seg, weightType, Shape.of(s.n(), s.k()));
            }
        }

        @Override
        public Object run() {
            try (TensorScope s = backend.newScope()) {
                Tensor y = backend.kernels().linear(s, xt, wt, null);
                return y.shape();
            }
        }

        @Override
        public void close() {
            if (weights != null) {
                weights.close();
            }
            backend.close();
            arena.close();
        }
    }
}
