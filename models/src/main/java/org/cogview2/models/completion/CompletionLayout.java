package org.cogview2.models.completion;

import org.cogview2.models.coglm.SequenceLayout;

import java.util.ArrayList;
import java.util.List;

/**
 * The stage-1 sequence of text-guided completion (spec 02 §8.3, {@code BaseCompletion} and
 * {@code get_masks_and_position_ids_comp}): {@code [Tc | <start_of_image> | context cells | generation cells]}
 * where {@code Tc} is the whole templated prompt including its own {@code <start_of_image>}. Scanning the 20x20
 * grid in raster order, a masked cell goes to the generation part as a position to fill (-1), an unmasked cell
 * whose right neighbour is masked goes there with its known token (the start of each masked run), and every other
 * cell is context. Each cell keeps its position {@code 513 + cell}.
 *
 * <p>Mask: lower-triangular, plus every row after the second {@code <start_of_image>} sees the whole context
 * (bidirectionally), plus the text is bidirectional. Bias: {@code textBias} on the columns of {@code Tc}.
 */
public final class CompletionLayout implements SequenceLayout {

    private final int textLength;
    private final int contextEnd;
    private final int[] positions;
    private final int[] sequence;
    private final float textBias;

    private CompletionLayout(int textLength, int contextEnd, int[] positions, int[] sequence, float textBias) {
        this.textLength = textLength;
        this.contextEnd = contextEnd;
        this.positions = positions;
        this.sequence = sequence;
        this.textBias = textBias;
    }

    /**
     * @param text        the templated prompt's ids, ending with {@code <start_of_image>}
     * @param imageTokens the 20x20 tokens of the crop
     * @param masked      400 flags: cells to re-generate
     */
    public static CompletionLayout of(int[] text, int startOfImage, int[] imageTokens, boolean[] masked, float textBias) {
        List<int[]> context = new ArrayList<>();
        List<int[]> generation = new ArrayList<>();
        for (int r = 0; r < 20; r++) {
            for (int c = 0; c < 20; c++) {
                int cell = r * 20 + c;
                if (masked[cell]) {
                    generation.add(new int[]{513 + cell, -1});
                } else if (c < 19 && masked[cell + 1]) {
                    generation.add(new int[]{513 + cell, imageTokens[cell]});
                } else {
                    context.add(new int[]{513 + cell, imageTokens[cell]});
                }
            }
        }
        int n = text.length + 1 + 400;
        int[] positions = new int[n];
        int[] sequence = new int[n];
        for (int i = 0; i < text.length; i++) {
            positions[i] = i;
            sequence[i] = text[i];
        }
        positions[text.length] = 512;
        sequence[text.length] = startOfImage;
        int i = text.length + 1;
        for (int[] cell : context) {
            positions[i] = cell[0];
            sequence[i++] = cell[1];
        }
        int contextEnd = i;
        for (int[] cell : generation) {
            positions[i] = cell[0];
            sequence[i++] = cell[1];
        }
        return new CompletionLayout(text.length, contextEnd, positions, sequence, textBias);
    }

    /** The ids to fill (-1 where a token is generated). */
    public int[] sequence() {
        return sequence.clone();
    }

    /** Writes the image part of a filled sequence back to a 20x20 grid by position. */
    public int[] grid(int[] filled) {
        int[] grid = new int[400];
        for (int i = textLength + 1; i < filled.length; i++) {
            grid[positions[i] - 513] = filled[i];
        }
        return grid;
    }

    /** Index where the generation part starts (the official {@code context_length}). */
    public int contextEnd() {
        return contextEnd;
    }

    @Override
    public int length() {
        return sequence.length;
    }

    @Override
    public int position(int i) {
        return positions[i];
    }

    @Override
    public boolean visible(int query, int key) {
        if (key <= query) {
            return true;
        }
        if (query >= textLength + 1 && key >= textLength + 1 && key < contextEnd) {
            return true;
        }
        return query < textLength && key < textLength;
    }

    @Override
    public float bias(int query, int key) {
        return key < textLength ? textBias : 0f;
    }
}
