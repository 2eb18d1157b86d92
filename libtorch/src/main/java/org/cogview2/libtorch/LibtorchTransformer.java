package org.cogview2.libtorch;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.index.NDIndex;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.norm.LayerNorm;
import org.cogview2.checkpoint.LayerNormOrder;
import org.cogview2.checkpoint.TransformerConfig;
import org.cogview2.models.transformer.SatTransformer;

/**
 * SAT's {@code BaseTransformer} forward with a KV cache, in libtorch ops, as {@link SatTransformer} and
 * {@code CachedSelfAttention} compute it (spec 01 §3.3–§3.8):
 * <pre>
 *   x  = W_word[ids] + W_pos[positions]
 *   per layer (Sandwich-LN):  x1 = x + LN_3(dense(attn(LN_in(x))));  x = x1 + LN_4(W_down gelu(W_up LN_post(x1)))
 *   logits = LN_final(x[:, -1]) W_word[0:20000]^T      (fp32 image head)
 *   attn: S = (Q / sqrt(d)) K^T + bias;  masked S * M - 10000 (1 - M) when a mask is given;  softmax(S) V
 * </pre>
 *
 * <p>DJL returns each result into the manager of its first operand, so every forward is given a step manager
 * that owns its inputs: all temporaries of the pass land there and are freed together when the caller closes it.
 */
final class LibtorchTransformer {

    private final TransformerConfig config;
    private final LibtorchWeights weights;
    private final Shape normShape;
    private final int heads;
    private final int headDim;
    private final float sqrtHeadDim;

    LibtorchTransformer(TransformerConfig config, LibtorchWeights weights) {
        this.config = config;
        this.weights = weights;
        this.normShape = new Shape(config.hiddenSize());
        this.heads = config.numAttentionHeads();
        this.headDim = config.headDim();
        this.sqrtHeadDim = (float) Math.sqrt(headDim);
    }

    TransformerConfig config() {
        return config;
    }

    /** The attention inputs of one pass: bias and the optional 0/1 mask as {@code [n, keys]} fp32 views. */
    record Attention(NDArray bias, NDArray maskMul, NDArray maskAdd) {
        /** A pass whose rows see every key: no masking (SAT's masking is a no-op then, and ours skips it). */
        static Attention unmasked(NDArray bias) {
            return new Attention(bias, null, null);
        }
    }

    /**
     * One forward pass over {@code n} new positions per row, appending their keys and values to the cache.
     *
     * @param ids       int64 {@code [B, n]}, owned by the step manager
     * @param positions int64 {@code [n]}, shared by every row
     * @return fp32 image logits of the last position, {@code [B, 20000]}, in the step manager
     */
    NDArray forward(NDManager step, NDArray ids, NDArray positions, Attention attention, LibtorchKvCache cache) {
        NDArray x = LibtorchOps.embedding(ids, weights.wordEmbeddings())
                .addi(LibtorchOps.embedding(positions, weights.positionEmbeddings()));
        int n = (int) ids.getShape().get(1);
        int keyLength = cache.length() + n;
        for (int l = 0; l < config.numLayers(); l++) {
            x = layer(step, l, x, attention, cache, keyLength);
        }
        cache.advance(n);
        NDArray last = n == 1 ? x : x.get(new NDIndex(":, -1:"));
        NDArray y = layerNorm(last, weights.finalNorm());
        // [B, 1, h] x [20000, h]^T: F.linear without bias, fp32.
        return LibtorchOps.linear(y, weights.imageHead()).squeeze(1);
    }

    /** {@code layer_forward_default} in the configured LayerNorm order. */
    private NDArray layer(NDManager step, int l, NDArray x, Attention attention, LibtorchKvCache cache, int keyLength) {
        LibtorchWeights.Layer w = weights.layers().get(l);
        LayerNormOrder order = config.layerNormOrder();
        NDArray a = layerNorm(x, w.inputNorm());
        NDArray o = attention(step, l, w, a, attention, cache, keyLength);
        if (order == LayerNormOrder.SANDWICH) {
            o = layerNorm(o, w.thirdNorm());
        }
        NDArray x1 = (order == LayerNormOrder.POST ? a : x).add(o);
        NDArray m = layerNorm(x1, w.postAttentionNorm());
        NDArray f = linear(LibtorchOps.gelu(linear(m, w.mlpUp())), w.mlpDown());
        if (order == LayerNormOrder.SANDWICH) {
            f = layerNorm(f, w.fourthNorm());
        }
        return f.addi(order == LayerNormOrder.POST ? m : x1);
    }

    /** Fused QKV projection, cache append, batched scaled-dot-product attention with bias and mask, dense. */
    private NDArray attention(NDManager step, int l, LibtorchWeights.Layer w, NDArray a, Attention attention,
                              LibtorchKvCache cache, int keyLength) {
        Shape in = a.getShape();
        long batch = in.get(0);
        long n = in.get(1);
        // [B, n, 3 * heads * d]: Q | K | V blocks, heads contiguous inside each block (spec 01 §3.6).
        NDArray qkv = linear(a, w.queryKeyValue()).reshape(batch, n, 3, heads, headDim).transpose(2, 0, 3, 1, 4);
        NDArray q = qkv.get(0).div(sqrtHeadDim); // scaled before the product, as SAT does
        cache.write(l, qkv.get(1), qkv.get(2));
        NDArray keys = cache.keys(step, l, keyLength);
        NDArray values = cache.values(step, l, keyLength);
        NDArray scores = q.matMul(keys.transpose(0, 1, 3, 2)).addi(attention.bias()); // [B, heads, n, keys]
        if (attention.maskMul() != null) {
            scores = scores.muli(attention.maskMul()).addi(attention.maskAdd());
        }
        NDArray context = scores.softmax(-1).matMul(values)          // [B, heads, n, d]
                .transpose(0, 2, 1, 3).reshape(batch, n, (long) heads * headDim);
        return linear(context, w.attentionDense());
    }

    private static NDArray linear(NDArray x, LibtorchWeights.Linear w) {
        return LibtorchOps.linear(x, w.weight(), w.bias());
    }

    private NDArray layerNorm(NDArray x, LibtorchWeights.Norm norm) {
        return LayerNorm.layerNorm(x, normShape, norm.weight(), norm.bias(), SatTransformer.LAYER_NORM_EPS)
                .singletonOrThrow();
    }
}
