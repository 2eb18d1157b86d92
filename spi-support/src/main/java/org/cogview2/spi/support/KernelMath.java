package org.cogview2.spi.support;

import org.cogview2.spi.Conv2dSpec;
import org.cogview2.spi.GridContext;
import org.cogview2.spi.Kernels;
import org.cogview2.spi.LocalWindow;

import java.util.List;

/**
 * The kernels of {@link Kernels} as pure math, in destination-passing style: what a backend built on this module
 * implements. {@link CheckedKernels} calls a method only after every argument check of the matching {@link Kernels}
 * method passed, so an implementation may assume:
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
public interface KernelMath<T extends AbstractTensor> {

    void linear(T out, T x, T weight, T bias);

    void add(T out, T a, T b);

    void layerNorm(T out, T x, T gamma, T beta, float eps);

    void groupNorm(T out, T x, int groups, T gamma, T beta, float eps);

    void gelu(T out, T x);

    void silu(T out, T x);

    void logSoftmaxGather(T out, T logits, T targets);

    void topK(T values, T indices, T x, int k);

    /** {@code mask} and {@code bias} are null or {@code [Lq, keyLength]}. */
    void attention(T out, T q, T k, T v, int heads, int keyLength, T mask, T bias);

    /** The tensors of {@code context} are live tensors of this backend (cast them to {@code T}). */
    void gridAttention(T out, T q, T k, T v, int heads, int side, LocalWindow selfWindow, GridContext context);

    void embedding(T out, T table, T ids);

    void nearestCode(T out, T z, T codebook);

    void conv2d(T out, T x, T weight, T bias, Conv2dSpec spec);

    void resizeNearest(T out, T x);

    void avgPool2x2(T out, T x);

    /** {@code axes} is a permutation of {@code 0 .. rank-1}. */
    void permute(T out, T x, int[] axes);

    /** {@code axis} normalised; the parts agree on every other dimension and on dtype. */
    void concat(T out, int axis, List<T> parts);

    /** {@code [start, start + out.shape().dim(axis))} is inside dimension {@code axis} of x. */
    void slice(T out, T x, int axis, int start);

    /**
     * Writes src into dst at {@code offset} along {@code axis}; shapes and dtypes are checked. src may be a view of
     * dst's memory. A backend whose dst may be read-only (a memory-mapped upload) says so with an
     * {@link IllegalArgumentException} naming {@code copyInto} and dst.
     */
    void copyInto(T dst, int axis, int offset, T src);
}
