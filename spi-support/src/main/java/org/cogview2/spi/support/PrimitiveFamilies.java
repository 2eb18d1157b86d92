package org.cogview2.spi.support;

import org.cogview2.spi.LocalWindow;
import org.cogview2.spi.PrimitiveKernels;

/**
 * The math of the optional {@link PrimitiveKernels} by family, with the preconditions of {@link KernelMath}: a
 * backend split by family hands over the family objects that also implement these (see {@link MathFamilies}); a
 * backend written as one class implements {@link PrimitiveMath} and uses {@link #of}.
 *
 * @param <T> the backend's tensor class
 */
public record PrimitiveFamilies<T extends AbstractTensor>(Dense<T> dense, Norm<T> norm, Attention<T> attention) {

    /** All three families from one object. */
    public static <T extends AbstractTensor> PrimitiveFamilies<T> of(PrimitiveMath<T> math) {
        return new PrimitiveFamilies<>(math, math, math);
    }

    /** {@code matmul}, {@code scale} and {@code cast}. */
    public interface Dense<T extends AbstractTensor> {

        void matmul(T out, T a, T b, boolean transposeB);

        void scale(T out, T x, float factor);

        /** The target dtype is {@code out.dtype()}. */
        void cast(T out, T x);
    }

    /** The masked softmax and top-k. */
    public interface Norm<T extends AbstractTensor> {

        /** {@code mask} and {@code bias} are null or {@code [Lq, Lk]}. */
        void softmax(T out, T scores, T mask, T bias);

        /** {@code values} (F32) and {@code indices} (I32) are {@code [rows..., k]}. */
        void topK(T values, T indices, T x, int k);
    }

    /** The two Image-Local-Attention primitives. */
    public interface Attention<T extends AbstractTensor> {

        void localSimilar(T out, T q, T k, LocalWindow window);

        void localWeighting(T out, T weights, T v, LocalWindow window);
    }
}
