package org.cogview2.models.transformer;

import org.cogview2.spi.Tensor;

import java.util.List;

/**
 * The SAT mixin parameters of the super-resolution models (spec 02 §5.6): the extra position table
 * {@code mixins.extra_position_embedding.position_embeddings.weight} {@code [4624 - msl, h]} of both models, and
 * for DSR the per-layer {@code mixins.attention_plus.query_key_value.<l>} and {@code .dense.<l>} that project the
 * 60x60 grid (empty for iterative SR).
 */
public record MixinWeights(Tensor extraPositions, List<LayerWeights.Linear> plusQueryKeyValue, List<LayerWeights.Linear> plusDense) {

    public MixinWeights {
        plusQueryKeyValue = List.copyOf(plusQueryKeyValue);
        plusDense = List.copyOf(plusDense);
    }
}
