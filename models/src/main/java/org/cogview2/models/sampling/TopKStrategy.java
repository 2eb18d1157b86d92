package org.cogview2.models.sampling;

import org.cogview2.spi.sampling.TopKSampler;

/**
 * The iterative super-resolution strategy (spec 02 §7.2) on the host: the SPI's definition ({@link TopKSampler},
 * which the backends' {@code sampleTopK} kernel computes on their side) with the draws of a {@link DrawSource}.
 */
public final class TopKStrategy {

    private TopKStrategy() {
    }

    /** Chooses a token from {@code logits[offset .. offset + n)} keeping the top {@code k}. */
    public static int choose(float[] logits, int offset, int n, int k, long sample, int step, DrawSource draws) {
        return TopKSampler.choose(logits, offset, n, k, draws.picker(sample, step));
    }
}
