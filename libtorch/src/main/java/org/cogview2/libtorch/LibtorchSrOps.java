package org.cogview2.libtorch;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.norm.LayerNorm;
import org.cogview2.checkpoint.LayerNormOrder;
import org.cogview2.checkpoint.TransformerConfig;
import org.cogview2.models.transformer.SatTransformer;

import java.util.ArrayList;
import java.util.List;
import java.util.function.UnaryOperator;

/**
 * The building blocks of the super-resolution models in libtorch ops: their weights as fp32 tensors, and the SAT
 * pieces they share with every transformer (F.linear, LayerNorm eps 1e-5, the tanh GELU, head split, masked
 * standard attention, inverse-CDF draws).
 *
 * <p>Weights are widened from the state dict's fp16 to fp32 once: libtorch's fast CPU path (MKL/oneDNN GEMM,
 * vectorised element-wise kernels) is fp32, while its fp16 CPU matmul is a slow fallback; a PyTorch user on a CPU
 * runs {@code model.float()}.
 *
 * <p>DJL puts the result of an op into the manager of its first operand. Activations are therefore always the first
 * operand (weights, masks and index tables the second), so every temporary lands in the manager that owns the pass.
 */
final class LibtorchSrOps {

    /** A LayerNorm's affine parameters. */
    record Norm(NDArray weight, NDArray bias) {
    }

    /** A linear layer's {@code [out, in]} weight and {@code [out]} bias ({@code F.linear} layout). */
    record Dense(NDArray weight, NDArray bias) {
    }

    /** One layer; the third and fourth norms exist only in the Sandwich-LN order and are null otherwise. */
    record Layer(Norm inputNorm, Dense queryKeyValue, Dense attentionDense, Norm thirdNorm, Norm postAttentionNorm,
                 Dense mlpUp, Dense mlpDown, Norm fourthNorm) {
    }

    /**
     * The parameters of an SR model: the {@code transformer.*} tensors, the extra position table of both SR models
     * and, for DSR only, the per-layer {@code mixins.attention_plus} projections of the 60x60 grid (empty lists for
     * iterative SR).
     *
     * @param imageHead the first 20000 rows of the word embeddings (a view): the fp32 image-logit head
     */
    record Weights(NDArray wordEmbeddings, NDArray positionEmbeddings, NDArray imageHead, List<Layer> layers,
                   Norm finalNorm, NDArray extraPositions, List<Dense> plusQueryKeyValue, List<Dense> plusDense) {

        boolean hasAttentionPlus() {
            return !plusQueryKeyValue.isEmpty();
        }
    }

    private LibtorchSrOps() {
    }

    /**
     * The SR weights among {@code params} (official SAT key names). The {@code attention_plus} mixin is read when the
     * parameters have it (DSR), otherwise the lists stay empty.
     */
    static Weights load(LibtorchParams params, TransformerConfig config) {
        boolean sandwich = config.layerNormOrder() == LayerNormOrder.SANDWICH;
        boolean plus = params.has("mixins.attention_plus.query_key_value.0.weight");
        List<Layer> layers = new ArrayList<>();
        List<Dense> plusQkv = new ArrayList<>();
        List<Dense> plusDense = new ArrayList<>();
        for (int l = 0; l < config.numLayers(); l++) {
            String p = "transformer.layers." + l + ".";
            layers.add(new Layer(
                    norm(params, p + "input_layernorm"),
                    dense(params, p + "attention.query_key_value"),
                    dense(params, p + "attention.dense"),
                    sandwich ? norm(params, p + "third_layernorm") : null,
                    norm(params, p + "post_attention_layernorm"),
                    dense(params, p + "mlp.dense_h_to_4h"),
                    dense(params, p + "mlp.dense_4h_to_h"),
                    sandwich ? norm(params, p + "fourth_layernorm") : null));
            if (plus) {
                plusQkv.add(dense(params, "mixins.attention_plus.query_key_value." + l));
                plusDense.add(dense(params, "mixins.attention_plus.dense." + l));
            }
        }
        NDArray word = params.get("transformer.word_embeddings.weight");
        return new Weights(word, params.get("transformer.position_embeddings.weight"),
                word.get("0:" + SatTransformer.IMAGE_TOKENS), layers,
                norm(params, "transformer.final_layernorm"),
                params.get("mixins.extra_position_embedding.position_embeddings.weight"),
                plusQkv, plusDense);
    }

    private static Norm norm(LibtorchParams params, String prefix) {
        return new Norm(params.get(prefix + ".weight"), params.get(prefix + ".bias"));
    }

    private static Dense dense(LibtorchParams params, String prefix) {
        return new Dense(params.get(prefix + ".weight"), params.get(prefix + ".bias"));
    }

    // ------------------------------------------------------------------ ops

    /** {@code F.linear(x, W, b)}: one fused addmm. */
    static NDArray linear(NDArray x, Dense w) {
        return LibtorchOps.linear(x, w.weight(), w.bias());
    }

    /** LayerNorm over the last dimension, eps 1e-5 (hard-wired in SAT 0.2.x). */
    static NDArray layerNorm(NDArray x, Norm norm) {
        Shape last = new Shape(x.getShape().get(x.getShape().dimension() - 1));
        return LayerNorm.layerNorm(x, last, norm.weight(), norm.bias(), SatTransformer.LAYER_NORM_EPS).singletonOrThrow();
    }

    /** Q, K, V of one projection, each {@code [B, heads, L, d]}; Q already divided by {@code sqrt(d)}. */
    record Heads(NDArray query, NDArray key, NDArray value) {
    }

    /**
     * A fused QKV projection split into Q | K | V (contiguous blocks, heads contiguous inside each, spec 01 §3.6),
     * with Q scaled before the product as SAT does.
     */
    static Heads queryKeyValue(NDArray x, Dense projection, int heads, int headDim) {
        long batch = x.getShape().get(0);
        long n = x.getShape().get(1);
        NDArray qkv = linear(x, projection).reshape(batch, n, 3, heads, headDim).transpose(2, 0, 3, 1, 4);
        return new Heads(qkv.get(0).divi((float) Math.sqrt(headDim)), qkv.get(1), qkv.get(2));
    }

    /** {@code [B, heads, L, d]} back to {@code [B, L, heads * d]}. */
    static NDArray mergeHeads(NDArray x) {
        Shape s = x.getShape();
        return x.transpose(0, 2, 1, 3).reshape(s.get(0), s.get(2), s.get(1) * s.get(3));
    }

    /**
     * SAT's masking of a 0/1 mask {@code M}: {@code S * M - 10000 (1 - M)}, as the factor {@code M} and the term
     * {@code -10000 (1 - M)} (both fp32, any broadcastable shape).
     */
    record Mask(NDArray factor, NDArray term) {

        static Mask of(NDManager manager, float[] mask, Shape shape) {
            float[] term = new float[mask.length];
            for (int i = 0; i < mask.length; i++) {
                term[i] = -10000f * (1f - mask[i]);
            }
            return new Mask(manager.create(mask, shape), manager.create(term, shape));
        }

        NDArray apply(NDArray scores) {
            return scores.muli(factor).addi(term);
        }
    }

    /** {@code softmax(mask(Q K^T)) V} over all keys, heads batched: {@code [B, heads, Lq, d]}. */
    static NDArray standardAttention(Heads h, Mask mask) {
        NDArray scores = mask.apply(h.query().matMul(h.key().transpose(0, 1, 3, 2)));
        return scores.softmax(-1).matMul(h.value());
    }

    /**
     * Runs {@code body} on {@code input} in a sub-manager of the input's manager, so that every temporary of the body
     * is freed when it returns; only the result survives (moved to the input's manager).
     */
    static NDArray scoped(NDArray input, UnaryOperator<NDArray> body) {
        NDManager parent = input.getManager();
        try (NDManager scope = parent.newSubManager()) {
            input.tempAttach(scope);
            NDArray out = body.apply(input);
            out.attach(parent);
            return out;
        }
    }
}
