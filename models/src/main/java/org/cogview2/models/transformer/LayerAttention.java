package org.cogview2.models.transformer;

import org.cogview2.spi.Tensor;
import org.cogview2.spi.TensorScope;

/**
 * The attention of one layer, SAT's {@code attention_forward} hook: from the layer's normalised input to the
 * attention output after the dense projection (before the Sandwich third LayerNorm). CogLM uses standard
 * attention over a key/value cache; the super-resolution models replace it with their level-0/level-1 split and
 * local 2D attention.
 */
@FunctionalInterface
public interface LayerAttention {

    Tensor apply(TensorScope scope, int layer, LayerWeights weights, Tensor normalizedInput);
}
