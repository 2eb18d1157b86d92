package org.cogview2.models.transformer;

import org.cogview2.checkpoint.LayerNormOrder;
import org.cogview2.checkpoint.StoredTensor;
import org.cogview2.checkpoint.TransformerConfig;
import org.cogview2.spi.Shape;
import org.cogview2.spi.Tensor;
import org.cogview2.spi.TensorScope;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * The {@code transformer.*} parameters of a SAT model (spec 01 §3.12), on a backend. Weights are handed to the
 * backend straight from the memory-mapped checkpoint, in the checkpoint's dtype (fp16 stays fp16).
 */
public record TransformerWeights(
        Tensor wordEmbeddings,
        Tensor positionEmbeddings,
        List<LayerWeights> layers,
        LayerWeights.Norm finalNorm) {

    public TransformerWeights {
        layers = List.copyOf(layers);
    }

    public LayerWeights layer(int l) {
        return layers.get(l);
    }

    /**
     * Uploads the transformer parameters of a state dict into {@code scope}. The caller has checked names, shapes
     * and dtypes beforehand (see {@link SatCheckpoints#requireTransformer}).
     */
    public static TransformerWeights upload(TensorScope scope, Map<String, StoredTensor> stateDict, TransformerConfig config) {
        WeightUploader up = new WeightUploader(scope, stateDict);
        List<LayerWeights> layers = new ArrayList<>();
        boolean sandwich = config.layerNormOrder() == LayerNormOrder.SANDWICH;
        for (int l = 0; l < config.numLayers(); l++) {
            String p = "transformer.layers." + l + ".";
            layers.add(new LayerWeights(
                    up.norm(p + "input_layernorm"),
                    up.linear(p + "attention.query_key_value"),
                    up.linear(p + "attention.dense"),
                    sandwich ? up.norm(p + "third_layernorm") : null,
                    up.norm(p + "post_attention_layernorm"),
                    up.linear(p + "mlp.dense_h_to_4h"),
                    up.linear(p + "mlp.dense_4h_to_h"),
                    sandwich ? up.norm(p + "fourth_layernorm") : null));
        }
        return new TransformerWeights(
                up.tensor("transformer.word_embeddings.weight"),
                up.tensor("transformer.position_embeddings.weight"),
                layers,
                up.norm("transformer.final_layernorm"));
    }

    /** Uploads state-dict entries by name. */
    public record WeightUploader(TensorScope scope, Map<String, StoredTensor> stateDict) {

        public Tensor tensor(String key) {
            StoredTensor t = stateDict.get(key);
            if (t == null) {
                throw new IllegalStateException("tensor '" + key + "' missing after validation");
            }
            return scope.upload(t.data(), t.dtype(), Shape.of(t.shape()));
        }

        public LayerWeights.Norm norm(String prefix) {
            return new LayerWeights.Norm(tensor(prefix + ".weight"), tensor(prefix + ".bias"));
        }

        public LayerWeights.Linear linear(String prefix) {
            return new LayerWeights.Linear(tensor(prefix + ".weight"), tensor(prefix + ".bias"));
        }
    }
}
