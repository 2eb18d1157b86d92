package org.cogview2.models.coglm;

/**
 * Positions, attention mask and attention bias of a CogLM sequence, as the {@code get_masks_and_position_ids}
 * function and the {@code log_attention_weights} of the official scripts define them.
 */
public interface SequenceLayout {

    /** Number of sequence indices. */
    int length();

    /** Position id of index {@code i}. */
    int position(int i);

    /** Whether query index {@code query} may attend to key index {@code key}. */
    boolean visible(int query, int key);

    /** Additive attention bias between {@code query} and {@code key} (added before masking). */
    float bias(int query, int key);

    /** Positions of indices {@code [from, from + count)}. */
    default int[] positions(int from, int count) {
        int[] p = new int[count];
        for (int i = 0; i < count; i++) {
            p[i] = position(from + i);
        }
        return p;
    }

    /** Mask rows {@code [from, from + count)} over keys {@code [0, from + count)}, row-major, 0/1. */
    default float[] maskRows(int from, int count) {
        int keys = from + count;
        float[] m = new float[count * keys];
        for (int r = 0; r < count; r++) {
            for (int j = 0; j < keys; j++) {
                m[r * keys + j] = visible(from + r, j) ? 1f : 0f;
            }
        }
        return m;
    }

    /** Bias rows {@code [from, from + count)} over keys {@code [0, from + count)}, row-major. */
    default float[] biasRows(int from, int count) {
        int keys = from + count;
        float[] w = new float[count * keys];
        for (int r = 0; r < count; r++) {
            for (int j = 0; j < keys; j++) {
                w[r * keys + j] = bias(from + r, j);
            }
        }
        return w;
    }

    /** Whether a single query row {@code from} sees every key up to itself (then masking can be skipped). */
    default boolean allVisible(int from, int count) {
        if (count != 1) {
            return false;
        }
        for (int j = 0; j <= from; j++) {
            if (!visible(from, j)) {
                return false;
            }
        }
        return true;
    }
}
