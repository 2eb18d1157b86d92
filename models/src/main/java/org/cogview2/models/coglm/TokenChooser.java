package org.cogview2.models.coglm;

/**
 * Picks the next image token of one sample from its row of fp32 image logits. Implementations: greedy (argmax)
 * and the cluster strategy with a {@link org.cogview2.models.sampling.DrawSource}.
 */
@FunctionalInterface
public interface TokenChooser {

    /**
     * @param logits a {@code [rows, 20000]} block of logits; this sample's row starts at {@code offset}
     * @param sample index of the sample in the whole request
     * @param step   0 for the first image token, up to 399
     */
    int choose(float[] logits, int offset, long sample, int step);
}
