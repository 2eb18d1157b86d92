package org.cogview2.models.transformer;

import org.cogview2.spi.Tensor;
import org.cogview2.spi.TensorScope;

/**
 * SAT's standard attention with the KV cache (CogLM and the post-selection text model): project Q, K, V, append
 * K and V to the cache, attend over everything cached (mask and additive bias as given, rows of the new
 * positions), project back with the dense layer. The caller advances the cache after the forward pass.
 *
 * @param mask F32 {@code [n, cached + n]} of 0/1, or null when every key is visible
 * @param bias F32 {@code [n, cached + n]} added to the scores before masking, or null
 */
public record CachedSelfAttention(SatTransformer transformer, KvCache cache, Tensor mask, Tensor bias) implements LayerAttention {

    @Override
    public Tensor apply(TensorScope s, int layer, LayerWeights w, Tensor a) {
        try (TensorScope tmp = s.backend().newScope()) {
            SatTransformer.QueryKeyValue qkv = transformer.queryKeyValue(tmp, a, w.queryKeyValue());
            cache.write(layer, qkv.key(), qkv.value());
            int keyLength = cache.length() + qkv.query().shape().dim(1);
            Tensor context = transformer.kernels().attention(tmp, qkv.query(), cache.keys(layer), cache.values(layer),
                    transformer.config().numAttentionHeads(), keyLength, mask, bias);
            return transformer.linear(s, context, w.attentionDense());
        }
    }
}
