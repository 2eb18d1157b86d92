package org.cogview2.libtorch;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.norm.LayerNorm;
import org.cogview2.checkpoint.LayerNormOrder;
import org.cogview2.checkpoint.TransformerConfig;
import org.cogview2.models.transformer.SatTransformer;

/**
 * SwissArmyTransformer 0.2.x's {@code BaseTransformer} over whole sequences, differentiable: the graph the trainer
 * runs for CogLM (and, with their attention, the super-resolution models). The same computation as
 * {@link SatTransformer} with full masked self-attention (spec 01 §3.3–§3.8), over parameters named as in
 * {@code mp_rank_00_model_states.pt}:
 * <pre>
 *   x  = W_word[ids] + W_pos[positions]
 *   per layer (Sandwich-LN):  x1 = x + LN_3(dense(attn(LN_in(x))));  x = x1 + LN_4(W_down gelu(W_up LN_post(x1)))
 *   attn: S = (Q / sqrt(d)) K^T + bias;  S * M - 10000 (1 - M) where a 0/1 mask M is given;  softmax(S) V
 *   hidden = LN_final(x);  logits = hidden W_word^T    (SAT's tied head)
 * </pre>
 * No operation overwrites a value that the backward pass needs. Thread-safe; batches of any size.
 */
public final class LibtorchSatGraph {

    private final TransformerConfig config;
    private final LibtorchParams params;
    private final Shape normShape;
    private final int heads;
    private final int headDim;

    public LibtorchSatGraph(TransformerConfig config, LibtorchParams params) {
        this.config = config;
        this.params = params;
        this.normShape = new Shape(config.hiddenSize());
        this.heads = config.numAttentionHeads();
        this.headDim = config.headDim();
    }

    public TransformerConfig config() {
        return config;
    }

    /**
     * The final hidden states {@code [B, L, h]} (after the final LayerNorm).
     *
     * @param ids       int64 {@code [B, L]}
     * @param positions int64 {@code [L]}, shared by every row, or {@code [B, L]} (rows padded differently)
     * @param mask      fp32 0/1 {@code [L, L]} (query, key), or {@code [B, 1, L, L]} per row, or null when every key
     *                  is visible
     * @param bias      fp32 added to the scores before masking, broadcast to {@code [B, heads, L, L]} (e.g.
     *                  {@code [L, L]} or a per-row key bias {@code [B, 1, 1, L]}), or null
     */
    public NDArray hidden(NDArray ids, NDArray positions, NDArray mask, NDArray bias) {
        NDArray x;
        try (NDArray word = LibtorchOps.embedding(ids, params.get("transformer.word_embeddings.weight"));
             NDArray position = LibtorchOps.embedding(positions, params.get("transformer.position_embeddings.weight"))) {
            x = word.add(position);
        }
        NDArray maskAdd = mask == null ? null : mask.sub(1f).muli(10000f);
        try {
            for (int l = 0; l < config.numLayers(); l++) {
                NDArray next = layer(l, x, mask, maskAdd, bias);
                x.close();
                x = next;
            }
        } finally {
            if (maskAdd != null) {
                maskAdd.close();
            }
        }
        try (NDArray last = x) {
            return layerNorm(last, "transformer.final_layernorm");
        }
    }

    /** SAT's tied head over the whole vocabulary: {@code hidden W_word^T}, {@code [B, L, V]}. */
    public NDArray vocabularyLogits(NDArray hidden) {
        return LibtorchOps.linear(hidden, params.get("transformer.word_embeddings.weight"));
    }

    /**
     * The tied head over the vocabulary ids {@code [fromId, toId)} only: {@code hidden W_word[fromId:toId]^T},
     * {@code [.., toId - fromId]}. Column {@code c} is the logit of id {@code fromId + c}; the gradient reaches only
     * those rows of the embedding.
     */
    public NDArray logitsOver(NDArray hidden, long fromId, long toId) {
        try (NDArray rows = params.get("transformer.word_embeddings.weight").get(fromId + ":" + toId)) {
            return LibtorchOps.linear(hidden, rows);
        }
    }

    private NDArray layer(int l, NDArray x, NDArray mask, NDArray maskAdd, NDArray bias) {
        String p = "transformer.layers." + l + ".";
        LayerNormOrder order = config.layerNormOrder();
        NDArray a = layerNorm(x, p + "input_layernorm");
        NDArray o = attention(p, a, mask, maskAdd, bias);
        if (order == LayerNormOrder.SANDWICH) {
            o = replace(o, layerNorm(o, p + "third_layernorm"));
        }
        NDArray x1;
        try (NDArray attended = o) {
            x1 = (order == LayerNormOrder.POST ? a : x).add(attended);
        }
        NDArray m = layerNorm(x1, p + "post_attention_layernorm");
        NDArray f;
        try (NDArray up = linear(m, p + "mlp.dense_h_to_4h"); NDArray g = LibtorchOps.gelu(up)) {
            f = linear(g, p + "mlp.dense_4h_to_h");
        }
        if (order == LayerNormOrder.SANDWICH) {
            f = replace(f, layerNorm(f, p + "fourth_layernorm"));
        }
        try (NDArray mlp = f; NDArray in = a; NDArray post = m; NDArray first = x1) {
            return mlp.add(order == LayerNormOrder.POST ? post : first);
        }
    }

    private NDArray attention(String p, NDArray a, NDArray mask, NDArray maskAdd, NDArray bias) {
        Shape in = a.getShape();
        long batch = in.get(0);
        long n = in.get(1);
        NDArray context;
        try (NDArray fused = linear(a, p + "attention.query_key_value");
             NDArray split = fused.reshape(batch, n, 3, heads, headDim);
             NDArray qkv = split.transpose(2, 0, 3, 1, 4);
             NDArray q0 = qkv.get(0); NDArray k = qkv.get(1); NDArray v = qkv.get(2);
             NDArray q = q0.div((float) Math.sqrt(headDim)); // scaled before the product, as SAT does
             NDArray kt = k.transpose(0, 1, 3, 2)) {
            NDArray scores = q.matMul(kt); // [B, heads, n, n]
            if (bias != null) {
                scores = replace(scores, scores.add(bias));
            }
            if (mask != null) {
                try (NDArray kept = scores.mul(mask)) {
                    scores = replace(scores, kept.add(maskAdd));
                }
            }
            try (NDArray s = scores; NDArray weights = s.softmax(-1); NDArray ctx = weights.matMul(v);
                 NDArray t = ctx.transpose(0, 2, 1, 3)) {
                context = t.reshape(batch, n, (long) heads * headDim);
            }
        }
        try (NDArray c = context) {
            return linear(c, p + "attention.dense");
        }
    }

    private NDArray linear(NDArray x, String prefix) {
        return LibtorchOps.linear(x, params.get(prefix + ".weight"), params.get(prefix + ".bias"));
    }

    private NDArray layerNorm(NDArray x, String prefix) {
        return LayerNorm.layerNorm(x, normShape, params.get(prefix + ".weight"), params.get(prefix + ".bias"),
                SatTransformer.LAYER_NORM_EPS).singletonOrThrow();
    }

    private static NDArray replace(NDArray old, NDArray next) {
        old.close();
        return next;
    }
}
