package org.cogview2.libtorch;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import org.cogview2.checkpoint.LayerNormOrder;
import org.cogview2.checkpoint.StoredTensor;
import org.cogview2.checkpoint.TransformerConfig;
import org.cogview2.models.transformer.SatTransformer;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * The {@code transformer.*} parameters of a SAT state dict as fp32 libtorch tensors, converted once
 * ({@link LibtorchOps#tensor}).
 *
 * @param imageHead the first 20000 rows of the word embeddings (a view, no copy): CogLM's fp32 image-logit head
 */
record LibtorchWeights(NDArray wordEmbeddings, NDArray positionEmbeddings, NDArray imageHead, List<Layer> layers,
                       Norm finalNorm) {

    /** A LayerNorm's affine parameters. */
    record Norm(NDArray weight, NDArray bias) {
    }

    /** A linear layer's {@code [out, in]} weight and {@code [out]} bias ({@code torch.nn.functional.linear} layout). */
    record Linear(NDArray weight, NDArray bias) {
    }

    /** One layer; the third and fourth norms exist only in the Sandwich-LN order and are null otherwise. */
    record Layer(Norm inputNorm, Linear queryKeyValue, Linear attentionDense, Norm thirdNorm, Norm postAttentionNorm,
                 Linear mlpUp, Linear mlpDown, Norm fourthNorm) {
    }

    /** Converts the state dict's transformer parameters into fp32 tensors owned by {@code manager}. */
    static LibtorchWeights load(NDManager manager, TransformerConfig config, Map<String, StoredTensor> stateDict) {
        Loader in = new Loader(manager, stateDict);
        boolean sandwich = config.layerNormOrder() == LayerNormOrder.SANDWICH;
        List<Layer> layers = new ArrayList<>();
        for (int l = 0; l < config.numLayers(); l++) {
            String p = "transformer.layers." + l + ".";
            layers.add(new Layer(
                    in.norm(p + "input_layernorm"),
                    in.linear(p + "attention.query_key_value"),
                    in.linear(p + "attention.dense"),
                    sandwich ? in.norm(p + "third_layernorm") : null,
                    in.norm(p + "post_attention_layernorm"),
                    in.linear(p + "mlp.dense_h_to_4h"),
                    in.linear(p + "mlp.dense_4h_to_h"),
                    sandwich ? in.norm(p + "fourth_layernorm") : null));
        }
        NDArray word = in.tensor("transformer.word_embeddings.weight");
        return new LibtorchWeights(word, in.tensor("transformer.position_embeddings.weight"),
                word.get("0:" + SatTransformer.IMAGE_TOKENS), layers, in.norm("transformer.final_layernorm"));
    }

    private record Loader(NDManager manager, Map<String, StoredTensor> stateDict) {

        NDArray tensor(String key) {
            return LibtorchOps.tensor(manager, stateDict, key);
        }

        Norm norm(String prefix) {
            return new Norm(tensor(prefix + ".weight"), tensor(prefix + ".bias"));
        }

        Linear linear(String prefix) {
            return new Linear(tensor(prefix + ".weight"), tensor(prefix + ".bias"));
        }
    }
}
