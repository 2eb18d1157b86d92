package org.cogview2.spi;

import org.cogview2.spi.sampling.ClusterSampler;
import org.cogview2.spi.sampling.ClusterSampling;
import org.cogview2.spi.sampling.RowDraws;
import org.cogview2.spi.sampling.TopKSampler;

/**
 * The kernel set CogView2 needs. Every method reads tensors of this backend and writes a new tensor
 * {@code into} the given scope; inputs are never modified (except the destination of {@link #copyInto}).
 *
 * <p>Conventions shared by all kernels:
 * <ul>
 *   <li>Activations are {@link DType#F32}. Parameters ("weights": linear and conv weights, biases, norm
 *       affine parameters, embedding tables, codebooks) may be F32, F16 or BF16 and are widened to fp32
 *       exactly before use; products and sums are accumulated in fp32.</li>
 *   <li>Layouts are row-major and contiguous, as in PyTorch. Shapes are checked; a mismatch throws
 *       {@link IllegalArgumentException} naming the kernel, the argument and both shapes.</li>
 *   <li>Where CogView2 masks attention with a 0/1 mask {@code m}, a score {@code s} becomes
 *       {@code s*m - 10000*(1-m)} (masked scores are exactly -10000, not -inf), after any additive bias.</li>
 *   <li>Results must be reproducible: the same inputs give bit-identical outputs on the same backend
 *       whatever the number of threads.</li>
 * </ul>
 *
 * <p>These are the kernels the stages call, and all a backend must implement. Building blocks of the official
 * code that no stage calls (a plain matmul, softmax, top-k, the Image-Local-Attention primitives) are in the optional
 * {@link PrimitiveKernels}.
 *
 * <p>The conformance kit ({@code cogview2-conformance-tests}) checks each kernel of a backend against the CPU
 * reference backend, rule by rule, with per-kernel tolerances.
 */
public interface Kernels {

    // ---------------------------------------------------------------- dense algebra

    /**
     * {@code y = x * weight^T + bias}: x F32 {@code [..., K]}, weight {@code [N, K]} (F32/F16/BF16), bias
     * {@code [N]} or null; result F32 {@code [..., N]}. The bias is added after the fp32 dot product.
     */
    Tensor linear(TensorScope into, Tensor x, Tensor weight, Tensor bias);

    /** {@code a + b}; b has the shape of a or a suffix of it (then it is broadcast over a's leading dims). */
    Tensor add(TensorScope into, Tensor a, Tensor b);

    // ---------------------------------------------------------------- normalisation and activations

    /**
     * LayerNorm over the last dimension: {@code (x - mean) / sqrt(var + eps) * gamma + beta}, biased variance,
     * statistics in fp32.
     */
    Tensor layerNorm(TensorScope into, Tensor x, Tensor gamma, Tensor beta, float eps);

    /**
     * GroupNorm of x {@code [B, C, H, W]} with {@code groups} groups of C/groups consecutive channels: per
     * sample and group, mean and biased variance over (C/groups)*H*W values; then per-channel gamma and beta.
     */
    Tensor groupNorm(TensorScope into, Tensor x, int groups, Tensor gamma, Tensor beta, float eps);

    /** The tanh GELU of SAT: {@code 0.5 x (1 + tanh(0.7978845608028654 x (1 + 0.044715 x^2)))}. */
    Tensor gelu(TensorScope into, Tensor x);

    /** Swish / SiLU: {@code x * sigmoid(x)}. */
    Tensor silu(TensorScope into, Tensor x);

    /**
     * Natural log of the softmax of each row of logits {@code [M, V]}, taken at {@code targets[m]} (I32
     * {@code [M]}): result F32 {@code [M]}. Evaluated as {@code log(softmax(x))}: an underflowing probability
     * gives -infinity, as SAT's {@code evaluate_perplexity} does.
     */
    Tensor logSoftmaxGather(TensorScope into, Tensor logits, Tensor targets);

    // ---------------------------------------------------------------- sampling

    /**
     * CogView2's cluster strategy (stage 1 and direct super-resolution) on every row of logits F32 {@code [M, V]}:
     * the id of row m is {@link ClusterSampler#choose}{@code (row m, labels, sampling, draws.picker(m)).token()},
     * exactly. {@code labels} is I32 {@code [n]} ({@code 1 <= n <= V}: only the first n columns take part), each in
     * {@code [0, clusters)}; {@code draws} has M rows. Result I32 {@code [M]}: the stages read back ids, not logits.
     */
    Tensor sampleClusters(TensorScope into, Tensor logits, Tensor labels, int clusters, ClusterSampling sampling,
                          RowDraws draws);

    /**
     * The iterative super-resolution strategy on every row of logits F32 {@code [M, V]}: the id of row m is
     * {@link TopKSampler#choose}{@code (row m, V, k, draws.picker(m))}, exactly ({@code 1 <= k <= V}; ties at the k-th
     * value are kept). Result I32 {@code [M]}.
     */
    Tensor sampleTopK(TensorScope into, Tensor logits, int k, RowDraws draws);

    // ---------------------------------------------------------------- attention

    /**
     * SAT's {@code standard_attention} over a key/value cache. q F32 {@code [B, Lq, heads*d]} (head j = features
     * {@code [j*d, (j+1)*d)}); k and v F32 {@code [Bk, Lcap, heads*d]} with {@code Bk} equal to B or 1 (shared
     * prefix), of which the first {@code keyLength} positions are used. Per head:
     * {@code s = (q / sqrt(d)) . k} (q scaled before the product), {@code s += bias}, masked to -10000 where
     * {@code mask == 0}, softmax over keys, {@code out = p . v}. mask and bias are F32
     * {@code [Lq, keyLength]} or null. Result F32 {@code [B, Lq, heads*d]}.
     */
    Tensor attention(TensorScope into, Tensor q, Tensor k, Tensor v, int heads, int keyLength, Tensor mask, Tensor bias);

    /**
     * Local 2D attention of the super-resolution models, fused: q, k, v F32 {@code [B, side*side, heads*d]}
     * (a {@code side x side} grid in raster order). For every head and query cell {@code (r, c)}, with
     * {@code q' = q / sqrt(d)}: context scores from {@code context} (a local window into a coarser grid, or
     * all text keys with a key mask), then self scores {@code q' . k} over {@code selfWindow} centred on
     * {@code (r, c)}; cells outside a grid score exactly -10000 (they get zero weight); one softmax over all
     * context and self scores; output the weighted sum of the matching values. Result F32
     * {@code [B, side*side, heads*d]}.
     */
    Tensor gridAttention(TensorScope into, Tensor q, Tensor k, Tensor v, int heads, int side,
                         LocalWindow selfWindow, GridContext context);

    // ---------------------------------------------------------------- lookups

    /** Rows of {@code table} {@code [V, h]} (any floating dtype) at ids (I32, any shape S): F32 {@code [S..., h]}. */
    Tensor embedding(TensorScope into, Tensor table, Tensor ids);

    /**
     * Vector-quantiser nearest code: for each row f of z F32 {@code [N, D]} the index of the codebook row
     * {@code e_k} ({@code [K, D]}) with the smallest {@code (sum f^2 - (2f) . e_k) + sum e_k^2}, evaluated in that
     * order in fp32; ties go to the lowest index. Result I32 {@code [N]}.
     */
    Tensor nearestCode(TensorScope into, Tensor z, Tensor codebook);

    // ---------------------------------------------------------------- images

    /**
     * 2D cross-correlation with zero padding: x F32 {@code [B, C, H, W]}, weight {@code [D, C, kh, kw]}, bias
     * {@code [D]} or null; result F32 {@code [B, D, Ho, Wo]} with
     * {@code Ho = (H + padTop + padBottom - kh) / stride + 1} (likewise Wo).
     */
    Tensor conv2d(TensorScope into, Tensor x, Tensor weight, Tensor bias, Conv2dSpec spec);

    /**
     * Nearest-neighbour resize of x {@code [B, C, H, W]} to {@code [B, C, outH, outW]} with PyTorch's rule:
     * source row {@code min(floor(i * (H / (float) outH)), H - 1)}, the scale computed in fp32 (likewise columns).
     * Doubling gives {@code in[i/2][j/2]}.
     */
    Tensor resizeNearest(TensorScope into, Tensor x, int outH, int outW);

    /** 2x2 average pooling with stride 2 of x {@code [B, C, H, W]} (H and W even). */
    Tensor avgPool2x2(TensorScope into, Tensor x);

    // ---------------------------------------------------------------- layout

    /** A copy of x with its axes reordered: output axis i is input axis {@code axes[i]}. */
    Tensor permute(TensorScope into, Tensor x, int... axes);

    /** Concatenation along {@code dim}; all parts have the same dtype and agree on every other dimension. */
    Tensor concat(TensorScope into, int dim, Tensor... parts);

    /** A copy of indices {@code [start, start + length)} of x along {@code dim}. */
    Tensor slice(TensorScope into, Tensor x, int dim, int start, int length);

    /**
     * Writes src into dst at {@code offset} along {@code dim} (src has dst's shape except a smaller size on
     * {@code dim}). Used to append to key/value caches. Same dtype required.
     */
    void copyInto(Tensor dst, int dim, int offset, Tensor src);
}
