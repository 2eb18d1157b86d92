package org.cogview2.spi.support;

import org.cogview2.spi.LocalWindow;
import org.cogview2.spi.PrimitiveKernels;

/**
 * The optional {@link PrimitiveKernels} as pure math, with the preconditions of {@link KernelMath}. A backend whose
 * math implements this interface gets {@link CheckedKernels#withPrimitives} kernels.
 *
 * @param <T> the backend's tensor class
 */
public interface PrimitiveMath<T extends AbstractTensor> extends KernelMath<T> {

    void matmul(T out, T a, T b, boolean transposeB);

    void scale(T out, T x, float factor);

    /** {@code out} has dtype {@code out.dtype()}, the target of the cast. */
    void cast(T out, T x);

    /** {@code mask} and {@code bias} are null or {@code [Lq, Lk]}. */
    void softmax(T out, T scores, T mask, T bias);

    void localSimilar(T out, T q, T k, LocalWindow window);

    void localWeighting(T out, T weights, T v, LocalWindow window);
}
