package org.cogview2.spi.support;

import org.cogview2.spi.GridContext;
import org.cogview2.spi.Kernels;

/**
 * The kernels of {@link Kernels} as pure math, in destination-passing style ({@code void linear(T out, T x, T weight,
 * T bias)}), in one object: what the smallest backend implements. A backend split by kernel family implements the
 * {@link MathFamilies} interfaces on its family classes instead. {@link CheckedKernels} calls a method only after
 * every argument check of the matching {@link Kernels} method passed, so an implementation may assume:
 * <ul>
 *   <li>every tensor is a live tensor of this backend (the tensors inside a {@link GridContext} too), with the dtypes,
 *       ranks and shapes the {@link Kernels} javadoc gives; ids and targets are inside their tables;</li>
 *   <li>{@code out} (and {@code values}/{@code indices}) was just allocated in the caller's scope with the result's
 *       dtype and shape; its contents are unspecified and every element must be written;</li>
 *   <li>axes are normalised to {@code [0, rank)} and ranges are inside their dimensions.</li>
 * </ul>
 * An implementation only computes. The semantics (evaluation order, rounding, the -10000 mask) are those of the
 * {@link Kernels} method of the same name.
 *
 * @param <T> the backend's tensor class
 */
public interface KernelMath<T extends AbstractTensor> extends MathFamilies.Dense<T>, MathFamilies.Norm<T>,
        MathFamilies.Attention<T>, MathFamilies.Lookup<T>, MathFamilies.Image<T>, MathFamilies.Layout<T>,
        MathFamilies.Sampling<T> {
}
