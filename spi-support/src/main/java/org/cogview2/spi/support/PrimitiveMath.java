package org.cogview2.spi.support;

import org.cogview2.spi.PrimitiveKernels;

/**
 * The optional {@link PrimitiveKernels} as pure math in one object, with the preconditions of {@link KernelMath}.
 *
 * @param <T> the backend's tensor class
 */
public interface PrimitiveMath<T extends AbstractTensor> extends PrimitiveFamilies.Dense<T>, PrimitiveFamilies.Norm<T>,
        PrimitiveFamilies.Attention<T> {
}
