package org.cogview2.models.transformer;

import org.cogview2.spi.Tensor;

/**
 * The parameters of one SAT transformer layer ({@code transformer.layers.<l>.*}). The third and fourth
 * LayerNorms exist only in the Sandwich-LN order and are null otherwise.
 */
public record LayerWeights(
        Norm inputNorm,
        Linear queryKeyValue,
        Linear attentionDense,
        Norm thirdNorm,
        Norm postAttentionNorm,
        Linear mlpUp,
        Linear mlpDown,
        Norm fourthNorm) {

    /** A LayerNorm's affine parameters. */
    public record Norm(Tensor weight, Tensor bias) {
    }

    /** A linear layer's {@code [out, in]} weight and {@code [out]} bias. */
    public record Linear(Tensor weight, Tensor bias) {
    }
}
