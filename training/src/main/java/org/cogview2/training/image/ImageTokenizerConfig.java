package org.cogview2.training.image;

import org.cogview2.checkpoint.HvqvaeLayout;

import java.util.List;

/**
 * What the image-tokenizer trainer builds and how it trains it.
 *
 * @param layout        the HVQVAE widths (icetk's module structure; see {@link #demo()})
 * @param level         the level trained: 1 (compress rate 8), the one CogView2 uses for 20x20 and 60x60 grids
 * @param batch         pictures per step
 * @param crop          side of the training crops (a multiple of the compress rate)
 * @param commitment    weight of the commitment loss {@code |z - sg(e)|^2}
 * @param emaDecay      decay of the codebook's moving averages
 * @param deadThreshold running count below which a code is restarted on a batch latent
 */
public record ImageTokenizerConfig(HvqvaeLayout layout, int level, int batch, int crop, float commitment,
                                   float emaDecay, float deadThreshold) {

    /**
     * The demo set's tokenizer: icetk's structure (one encoder, two residual down-samplers, a shared quantiser, three
     * decoders) at the narrowest width GroupNorm(32) allows, one ResNet block per encoder level, 8192 codes of 32
     * dimensions (ids stay inside 0..19999, so the text ids keep their offset of 20000).
     */
    public static ImageTokenizerConfig demo() {
        HvqvaeLayout layout = new HvqvaeLayout(3, 3, 32, 64, 32, 8192, List.of(1, 1, 2), 1,
                List.of(List.of(1, 1, 1, 2, 2), List.of(1, 1, 2, 2), List.of(1, 2, 2)), 0, 2, 256, List.of(16));
        return new ImageTokenizerConfig(layout, 1, 8, 128, 0.25f, 0.99f, 1e-3f);
    }

    public ImageTokenizerConfig withBatch(int b) {
        return new ImageTokenizerConfig(layout, level, b, crop, commitment, emaDecay, deadThreshold);
    }

    public ImageTokenizerConfig withLayout(HvqvaeLayout l) {
        return new ImageTokenizerConfig(l, level, batch, crop, commitment, emaDecay, deadThreshold);
    }

    public ImageTokenizerConfig withCrop(int c) {
        return new ImageTokenizerConfig(layout, level, batch, c, commitment, emaDecay, deadThreshold);
    }
}
