package org.cogview2.models.transformer;

import org.cogview2.checkpoint.LayerNormOrder;
import org.cogview2.checkpoint.TransformerConfig;
import org.cogview2.spi.Kernels;
import org.cogview2.spi.Tensor;
import org.cogview2.spi.TensorScope;

/**
 * The SwissArmyTransformer 0.2.x {@code BaseTransformer} as CogView2 runs it, written once against the SPI.
 * CogLM, direct super-resolution and iterative super-resolution all use this class with their own weights;
 * they differ only in how they embed positions and in their {@link LayerAttention}.
 *
 * <p>The forward pass, top to bottom (spec 01 §3.3–§3.8):
 * <pre>
 *   x  = W_word[ids] + W_pos[positions]
 *   for each layer:                                  (Sandwich-LN order shown)
 *     a  = LN_in(x)
 *     o  = LN_3(attention(a))                         the model's LayerAttention, incl. the dense projection
 *     x1 = x + o
 *     f  = LN_4(W_down gelu(W_up LN_post(x1) + b_up) + b_down)
 *     x  = x1 + f
 *   y  = LN_final(x)
 *   logits = y W_word[0:20000]^T  (image head, fp32)   or   y W_word^T  (full vocabulary)
 * </pre>
 * LayerNorm epsilon is 1e-5 (hard-wired in SAT 0.2.x; {@code layernorm_epsilon} in a config is ignored).
 */
public final class SatTransformer {

    /** SAT 0.2.x never passes its {@code --layernorm-epsilon} argument on; 1e-5 is what runs. */
    public static final float LAYER_NORM_EPS = 1e-5f;

    /** Image tokens are the first rows of the word-embedding table. */
    public static final int IMAGE_TOKENS = 20000;

    private final TransformerConfig config;
    private final TransformerWeights weights;
    private final Kernels k;

    public SatTransformer(TransformerConfig config, TransformerWeights weights, Kernels kernels) {
        this.config = config;
        this.weights = weights;
        this.k = kernels;
    }

    public TransformerConfig config() {
        return config;
    }

    public TransformerWeights weights() {
        return weights;
    }

    public Kernels kernels() {
        return k;
    }

    // ------------------------------------------------------------------ embeddings

    /** Word embeddings of I32 ids {@code [B, L]}: F32 {@code [B, L, h]}. */
    public Tensor wordEmbedding(TensorScope s, Tensor ids) {
        return k.embedding(s, weights.wordEmbeddings(), ids);
    }

    /** Rows of the base position table at I32 positions {@code [L]}: F32 {@code [L, h]}. */
    public Tensor positionEmbedding(TensorScope s, Tensor positions) {
        return k.embedding(s, weights.positionEmbeddings(), positions);
    }

    /** {@code W_word[ids] + W_pos[positions]}; positions {@code [L]} are shared by every row of the batch. */
    public Tensor embed(TensorScope s, Tensor ids, Tensor positions) {
        try (TensorScope tmp = s.backend().newScope()) {
            return k.add(s, wordEmbedding(tmp, ids), positionEmbedding(tmp, positions));
        }
    }

    // ------------------------------------------------------------------ layers

    /** All layers in order; the input is left untouched, the result lands in {@code s}. */
    public Tensor layers(TensorScope s, Tensor x, LayerAttention attention) {
        Tensor h = x;
        for (int l = 0; l < config.numLayers(); l++) {
            Tensor next = layer(s, l, h, attention);
            if (h != x) {
                h.close();
            }
            h = next;
        }
        return h;
    }

    /** One transformer layer ({@code layer_forward_default}) in the configured LayerNorm order. */
    public Tensor layer(TensorScope s, int l, Tensor x, LayerAttention attention) {
        LayerWeights w = weights.layer(l);
        LayerNormOrder order = config.layerNormOrder();
        try (TensorScope tmp = s.backend().newScope()) {
            Tensor a = layerNorm(tmp, x, w.inputNorm());
            Tensor o = attention.apply(tmp, l, w, a);
            if (order == LayerNormOrder.SANDWICH) {
                o = layerNorm(tmp, o, w.thirdNorm());
            }
            Tensor x1 = k.add(tmp, order == LayerNormOrder.POST ? a : x, o);
            Tensor m = layerNorm(tmp, x1, w.postAttentionNorm());
            Tensor f = mlp(tmp, w, m);
            if (order == LayerNormOrder.SANDWICH) {
                f = layerNorm(tmp, f, w.fourthNorm());
            }
            return k.add(s, order == LayerNormOrder.POST ? m : x1, f);
        }
    }

    /** {@code W_down gelu(W_up m + b_up) + b_down}. */
    public Tensor mlp(TensorScope s, LayerWeights w, Tensor m) {
        try (TensorScope tmp = s.backend().newScope()) {
            Tensor up = linear(tmp, m, w.mlpUp());
            return linear(s, k.gelu(tmp, up), w.mlpDown());
        }
    }

    /** Query, key and value of a fused QKV projection, each F32 {@code [B, L, heads*headDim]}. */
    public record QueryKeyValue(Tensor query, Tensor key, Tensor value) {
    }

    /**
     * The fused projection {@code query_key_value} split into three contiguous equal blocks Q | K | V (spec 01
     * §3.6 step 2; heads are contiguous inside each block).
     */
    public QueryKeyValue queryKeyValue(TensorScope s, Tensor normalized, LayerWeights.Linear projection) {
        try (TensorScope tmp = s.backend().newScope()) {
            Tensor qkv = linear(tmp, normalized, projection);
            int inner = qkv.shape().dim(-1) / 3;
            int last = qkv.shape().rank() - 1;
            return new QueryKeyValue(
                    k.slice(s, qkv, last, 0, inner),
                    k.slice(s, qkv, last, inner, inner),
                    k.slice(s, qkv, last, 2 * inner, inner));
        }
    }

    public Tensor linear(TensorScope s, Tensor x, LayerWeights.Linear linear) {
        return k.linear(s, x, linear.weight(), linear.bias());
    }

    public Tensor layerNorm(TensorScope s, Tensor x, LayerWeights.Norm norm) {
        return k.layerNorm(s, x, norm.weight(), norm.bias(), LAYER_NORM_EPS);
    }

    // ------------------------------------------------------------------ output

    /** The final LayerNorm. */
    public Tensor finalNorm(TensorScope s, Tensor x) {
        return layerNorm(s, x, weights.finalNorm());
    }

    /**
     * CogLM's and DSR's sampling head ({@code InferenceModel.final_forward}): fp32 logits over the 20000 image
     * tokens only, {@code [.., 20000]}.
     */
    public Tensor imageLogits(TensorScope s, Tensor normalized) {
        return k.linear(s, normalized, s.narrow(weights.wordEmbeddings(), 0, IMAGE_TOKENS), null);
    }

    /** SAT's default head, tied to the word embeddings: logits over the whole vocabulary {@code [.., V]}. */
    public Tensor vocabularyLogits(TensorScope s, Tensor normalized) {
        return k.linear(s, normalized, weights.wordEmbeddings(), null);
    }
}
