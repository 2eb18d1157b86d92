package org.cogview2.models.transformer;

import org.cogview2.checkpoint.StoredTensor;
import org.cogview2.checkpoint.TensorRequirements;
import org.cogview2.checkpoint.TorchCheckpoint;
import org.cogview2.checkpoint.TransformerConfig;
import org.cogview2.spi.TensorScope;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * Checks and uploads the checkpoints of CogView2's three transformers. All three use CogLM's hyper-parameters; the
 * super-resolution models add their mixin tensors (spec 02 §5.6).
 */
public final class SatCheckpoints {

    /** CogView2 hard-codes the extended position range of both SR models. */
    public static final int NEW_SEQUENCE_LENGTH = 4624;

    /** Which mixins a checkpoint carries. */
    public enum Extra { NONE, DSR, ITERSR }

    private SatCheckpoints() {
    }

    /**
     * Verifies every tensor the model needs is present with the right shape and dtype, reporting every problem at
     * once (with the file and keys) before anything is computed.
     */
    public static void validate(TorchCheckpoint checkpoint, TransformerConfig config, Extra extra) {
        TensorRequirements requirements = switch (extra) {
            case NONE -> TensorRequirements.satTransformer(config);
            case DSR -> TensorRequirements.cogview2Dsr(config, NEW_SEQUENCE_LENGTH);
            case ITERSR -> TensorRequirements.cogview2IterSr(config, NEW_SEQUENCE_LENGTH);
        };
        requirements.check(checkpoint);
    }

    /** The mixin weights of an SR checkpoint (null for CogLM). */
    public static MixinWeights uploadExtra(TensorScope scope, Map<String, StoredTensor> stateDict, TransformerConfig config, Extra extra) {
        if (extra == Extra.NONE) {
            return null;
        }
        TransformerWeights.WeightUploader up = new TransformerWeights.WeightUploader(scope, stateDict);
        List<LayerWeights.Linear> qkv = new ArrayList<>();
        List<LayerWeights.Linear> dense = new ArrayList<>();
        if (extra == Extra.DSR) {
            for (int l = 0; l < config.numLayers(); l++) {
                qkv.add(up.linear("mixins.attention_plus.query_key_value." + l));
                dense.add(up.linear("mixins.attention_plus.dense." + l));
            }
        }
        return new MixinWeights(up.tensor("mixins.extra_position_embedding.position_embeddings.weight"), qkv, dense);
    }
}
