package org.cogview2.training.coglm;

import org.cogview2.checkpoint.LayerNormOrder;
import org.cogview2.checkpoint.TransformerConfig;

import java.util.Map;

/**
 * The size and recipe of a CogLM trained here. The three transformers of a CogView2 set share CogLM's
 * hyper-parameters (the official code builds the super-resolution models from CogLM's arguments), so this sizes
 * them all.
 *
 * @param layers        transformer layers
 * @param hidden        hidden size (heads x 64 in the release; here heads x 32)
 * @param heads         attention heads
 * @param batch         sequences per step
 * @param textBias      the {@code attn_plus} bias on text keys, as inference adds it (1.4 in every recipe)
 * @param inverseEvery  every n-th step trains the image-to-caption direction that post-selection scores
 * @param noStyleShare  share of stage-1 sequences with the plain {@code none} template (completion's default);
 *                      the rest use {@code mainbody}, the default text-to-image style
 */
public record CogLmConfig(int layers, int hidden, int heads, int batch, float textBias, int inverseEvery,
                          double noStyleShare) {

    /** Sequences are at most this long (positions up to 912, SR positions come from the extra table). */
    public static final int MAX_SEQUENCE_LENGTH = 1024;

    /** The demo set's size: 4 layers of hidden 256 (about 3.2M parameters besides the embeddings). */
    public static CogLmConfig demo() {
        return new CogLmConfig(4, 256, 8, 8, 1.4f, 5, 0.2);
    }

    public CogLmConfig withBatch(int b) {
        return new CogLmConfig(layers, hidden, heads, b, textBias, inverseEvery, noStyleShare);
    }

    public TransformerConfig transformer(int vocabularySize) {
        return new TransformerConfig(layers, hidden, heads, vocabularySize, MAX_SEQUENCE_LENGTH, LayerNormOrder.SANDWICH,
                4 * hidden, hidden / heads, Map.of());
    }
}
