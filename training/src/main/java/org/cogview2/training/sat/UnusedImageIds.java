package org.cogview2.training.sat;

import org.cogview2.api.Tokenizer;

/**
 * The image ids {@code [from, to)} that a set's image tokenizer never produces: CogView2's vocabulary keeps 20000
 * image ids, a smaller codebook (8192 in the demo set) leaves the rest unused. Their embedding rows stay zero, so
 * their logits are exactly 0; a loss over the image vocabulary need not compute them, it adds one column of value
 * {@code log(count)} to the softmax instead, which gives the same normaliser: {@code log(sum_real e^l + count e^0)}.
 */
public record UnusedImageIds(int from, int to) {

    public UnusedImageIds {
        if (from < 1 || from > to || to > Tokenizer.IMAGE_TOKENS) {
            throw new IllegalArgumentException("unused image ids must lie in [1, 20000], got [" + from + ", " + to + ")");
        }
    }

    /** Those after a codebook of {@code codes} entries. */
    public static UnusedImageIds afterCodebook(int codes) {
        return new UnusedImageIds(codes, Tokenizer.IMAGE_TOKENS);
    }

    public int count() {
        return to - from;
    }

    /** The softmax column that stands for all of them: {@code log(count)}, or -infinity when there are none. */
    public float logCount() {
        return count() == 0 ? Float.NEGATIVE_INFINITY : (float) Math.log(count());
    }
}
