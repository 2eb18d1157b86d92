package org.cogview2.models.coglm;

import org.cogview2.spi.Tensor;
import org.cogview2.spi.TensorScope;

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

    /**
     * The same choices made by the backend from logits that stay there, or null when only the host can make them
     * (greedy argmax, injected or replayed draws).
     */
    default OnBackend onBackend() {
        return null;
    }

    /** Choices made by the backend's sampling kernel: only the ids are read back. */
    @FunctionalInterface
    interface OnBackend {

        /**
         * @param run    a scope that lives for the whole generation (tensors uploaded once, such as the cluster table)
         * @param scope  the step's scope
         * @param logits {@code [rows, 20000]} image logits; row r is sample {@code firstSample + r}
         * @return one id per row
         */
        int[] choose(TensorScope run, TensorScope scope, Tensor logits, long firstSample, int step);
    }
}
