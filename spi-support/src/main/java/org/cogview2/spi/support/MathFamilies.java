package org.cogview2.spi.support;

import org.cogview2.spi.Conv2dSpec;
import org.cogview2.spi.GridContext;
import org.cogview2.spi.LocalWindow;
import org.cogview2.spi.sampling.ClusterLabels;
import org.cogview2.spi.sampling.ClusterSampling;
import org.cogview2.spi.sampling.RowDraws;

import java.util.List;

/**
 * The math of a backend by kernel family, as {@link CheckedKernels} calls it: a backend whose code is split by family
 * (dense algebra, norms, attention, lookups, images, layout, sampling) hands its six family objects over as they are, with no
 * delegating class in between; a backend written as one class implements {@link KernelMath} and uses {@link #of}.
 * The preconditions every method may assume are those of {@link KernelMath}.
 *
 * @param <T> the backend's tensor class
 */
public record MathFamilies<T extends AbstractTensor>(Dense<T> dense, Norm<T> norm, Attention<T> attention,
                                                     Lookup<T> lookup, Image<T> image, Layout<T> layout,
                                                     Sampling<T> sampling) {

    /** All seven families from one object. */
    public static <T extends AbstractTensor> MathFamilies<T> of(KernelMath<T> math) {
        return new MathFamilies<>(math, math, math, math, math, math, math);
    }

    /** {@code linear} and {@code add}. */
    public interface Dense<T extends AbstractTensor> {

        void linear(T out, T x, T weight, T bias);

        void add(T out, T a, T b);
    }

    /** Normalisations, activations and {@code logSoftmaxGather}. */
    public interface Norm<T extends AbstractTensor> {

        void layerNorm(T out, T x, T gamma, T beta, float eps);

        void groupNorm(T out, T x, int groups, T gamma, T beta, float eps);

        void gelu(T out, T x);

        void silu(T out, T x);

        void logSoftmaxGather(T out, T logits, T targets);
    }

    /** Attention over a key/value cache and the fused local 2D attention. */
    public interface Attention<T extends AbstractTensor> {

        /** {@code mask} and {@code bias} are null or {@code [Lq, keyLength]}. */
        void attention(T out, T q, T k, T v, int heads, int keyLength, T mask, T bias);

        /** The tensors of {@code context} are live tensors of this backend (cast them to {@code T}). */
        void gridAttention(T out, T q, T k, T v, int heads, int side, LocalWindow selfWindow, GridContext context);
    }

    /** {@code embedding} and the vector quantiser's {@code nearestCode}. */
    public interface Lookup<T extends AbstractTensor> {

        void embedding(T out, T table, T ids);

        void nearestCode(T out, T z, T codebook);
    }

    /** The VQ-VAE's image operations. */
    public interface Image<T extends AbstractTensor> {

        void conv2d(T out, T x, T weight, T bias, Conv2dSpec spec);

        /** The output size is {@code out}'s. */
        void resizeNearest(T out, T x);

        void avgPool2x2(T out, T x);
    }

    /** Copies that move elements without changing them. */
    public interface Layout<T extends AbstractTensor> {

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

    /**
     * Token sampling from logits that stay on the backend: each row's id must be exactly what the host functions of
     * {@link org.cogview2.spi.sampling} return for that row ({@code draws.picker(m)}), whatever the order rows are
     * computed in.
     */
    public interface Sampling<T extends AbstractTensor> {

        /**
         * {@code labels} is the labels tensor read once on the host and checked ({@code table}); a device backend may
         * use either.
         */
        void sampleClusters(T out, T logits, T labels, ClusterLabels table, ClusterSampling sampling, RowDraws draws);

        void sampleTopK(T out, T logits, int k, RowDraws draws);
    }
}
