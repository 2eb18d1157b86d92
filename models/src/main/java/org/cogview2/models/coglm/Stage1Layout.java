package org.cogview2.models.coglm;

import org.cogview2.api.InvalidInputException;
import org.cogview2.api.LanguageModel;
import org.cogview2.api.PromptTooLongException;

/**
 * The stage-1 sequence (spec 02 §2.2–§2.5, {@code get_masks_and_position_ids_coglm}): {@code n} text ids,
 * {@code <start_of_image>}, then the 400 image tokens of the 20x20 grid.
 * <ul>
 *   <li>positions: {@code 0 .. n-1} for the text, 512 for {@code <start_of_image>}, {@code 513 + k} for image token k;</li>
 *   <li>mask: {@code M[i][j] = 1} if {@code j < n} or {@code j <= i} (text bidirectional, the rest causal);</li>
 *   <li>bias ({@code attn_plus}): added to the scores of every text key {@code j < n}, every row, layer and head.</li>
 * </ul>
 */
public record Stage1Layout(int textLength, float textBias) implements SequenceLayout {

    public static final int IMAGE_TOKENS = 400;
    public static final int START_OF_IMAGE_POSITION = 512;

    /** The layout of prompt ids that must end with {@code startOfImage}. */
    public static Stage1Layout of(int[] promptIds, int startOfImage, float textBias) {
        if (promptIds.length > LanguageModel.MAX_PROMPT_IDS) {
            throw new PromptTooLongException("The prompt", promptIds.length, LanguageModel.MAX_PROMPT_IDS);
        }
        if (promptIds.length < 1 || promptIds[promptIds.length - 1] != startOfImage) {
            throw new InvalidInputException("stage-1 prompt ids must end with <start_of_image> (id " + startOfImage
                    + "); the tokenizer did not produce it as one piece at the end of the templated prompt");
        }
        return new Stage1Layout(promptIds.length - 1, textBias);
    }

    /** The ids to fill: the prompt, then 400 positions to generate (-1). */
    public static int[] sequence(int[] promptIds) {
        int[] seq = java.util.Arrays.copyOf(promptIds, promptIds.length + IMAGE_TOKENS);
        java.util.Arrays.fill(seq, promptIds.length, seq.length, -1);
        return seq;
    }

    @Override
    public int length() {
        return textLength + 1 + IMAGE_TOKENS;
    }

    @Override
    public int position(int i) {
        return i < textLength ? i : START_OF_IMAGE_POSITION + (i - textLength);
    }

    @Override
    public boolean visible(int query, int key) {
        return key < textLength || key <= query;
    }

    @Override
    public float bias(int query, int key) {
        return key < textLength ? textBias : 0f;
    }
}
