package org.cogview2.models.postselect;

/**
 * The post-selection sequence (spec 02 §3.1–§3.2): {@code [400 image tokens | <start_of_chinese> | caption ids]}.
 * Image rows see all image tokens (bidirectional) and no text; text rows see every image token and the text
 * causally. Positions: {@code 513 + k} for image token k, then {@code 0, 1, ..} from {@code <start_of_chinese>} on.
 * The loss covers the caption ids (indices 401 ..), each predicted from the previous position.
 */
public record InversePromptLayout(int captionLength) {

    public static final int IMAGE_TOKENS = 400;

    public int length() {
        return IMAGE_TOKENS + 1 + captionLength;
    }

    public int position(int i) {
        return i < IMAGE_TOKENS ? 513 + i : i - IMAGE_TOKENS;
    }

    public boolean visible(int query, int key) {
        if (key < IMAGE_TOKENS) {
            return true;
        }
        return query >= IMAGE_TOKENS && key <= query;
    }

    public int[] positions() {
        int[] p = new int[length()];
        for (int i = 0; i < p.length; i++) {
            p[i] = position(i);
        }
        return p;
    }

    public float[] mask() {
        int s = length();
        float[] m = new float[s * s];
        for (int i = 0; i < s; i++) {
            for (int j = 0; j < s; j++) {
                m[i * s + j] = visible(i, j) ? 1f : 0f;
            }
        }
        return m;
    }

    /** The sequence of one candidate. */
    public int[] sequence(int[] imageTokens, int startOfChinese, int[] captionIds) {
        int[] seq = new int[length()];
        System.arraycopy(imageTokens, 0, seq, 0, IMAGE_TOKENS);
        seq[IMAGE_TOKENS] = startOfChinese;
        System.arraycopy(captionIds, 0, seq, IMAGE_TOKENS + 1, captionLength);
        return seq;
    }
}
