package org.cogview2.tokenizer.icetk.text;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;

/**
 * The unigram model's Viterbi segmentation, SentencePiece's default {@code EncodeOptimized} (spec 01 §1.8): for
 * each position, every vocabulary piece starting there (shortest first) offers {@code score + best score so far};
 * a position that no piece covers by exactly one character gets the unknown piece at {@code min score - 10}.
 *
 * <p>Exactness: the best path score is stored in fp32, but a vocabulary candidate is formed and compared in double
 * (the C++ expression is double because the user-defined branch has the double literal 0.1); the unknown candidate
 * is pure fp32. Comparisons are strict, so on ties the first candidate for an end position stays.
 */
final class UnigramSegmenter {

    private final ByteTrie vocabulary;
    private final PieceType[] types;
    private final float[] scores;
    private final int unkId;
    private final float maxScore;
    private final float unkScore;

    UnigramSegmenter(ByteTrie vocabulary, PieceType[] types, float[] scores, int unkId) {
        this.vocabulary = vocabulary;
        this.types = types;
        this.scores = scores;
        this.unkId = unkId;
        float min = Float.MAX_VALUE;
        float max = Float.MIN_NORMAL; // FLT_MIN in C++: the smallest positive normal float, not -infinity
        for (int i = 0; i < types.length; i++) {
            if (types[i] == PieceType.NORMAL) {
                min = Math.min(min, scores[i]);
                max = Math.max(max, scores[i]);
            }
        }
        this.maxScore = max;
        this.unkScore = min - 10.0f;
    }

    List<Segment> segment(byte[] text) {
        int n = text.length;
        List<Segment> out = new ArrayList<>();
        if (n == 0) {
            return out;
        }
        int[] bestId = new int[n + 1];
        float[] bestScore = new float[n + 1];
        int[] bestStart = new int[n + 1];
        java.util.Arrays.fill(bestId, -1);
        java.util.Arrays.fill(bestStart, -1);
        int pos = 0;
        while (pos < n) {
            int lead = text[pos] & 0xFF;
            int c = Math.min(lead < 0xC0 ? 1 : lead < 0xE0 ? 2 : lead < 0xF0 ? 3 : 4, n - pos);
            float base = bestScore[pos];
            int start = pos;
            boolean[] hasSingle = {false};
            vocabulary.prefixes(text, pos, n, (length, id) -> {
                if (types[id] == PieceType.UNUSED) {
                    return;
                }
                double s = types[id] == PieceType.USER_DEFINED ? (double) ((float) length * maxScore) - 0.1 : (double) scores[id];
                double candidate = s + (double) base;
                int end = start + length;
                if (bestStart[end] == -1 || candidate > (double) bestScore[end]) {
                    bestId[end] = id;
                    bestScore[end] = (float) candidate;
                    bestStart[end] = start;
                }
                if (length == c) {
                    hasSingle[0] = true;
                }
            });
            if (!hasSingle[0]) {
                float candidate = unkScore + base;
                int end = pos + c;
                if (bestStart[end] == -1 || candidate > bestScore[end]) {
                    bestId[end] = unkId;
                    bestScore[end] = candidate;
                    bestStart[end] = pos;
                }
            }
            pos += c;
        }
        for (int end = n; end > 0; end = bestStart[end]) {
            if (bestStart[end] < 0) {
                throw new IllegalStateException("unigram lattice has no path to byte " + end);
            }
            out.add(new Segment(bestStart[end], end, bestId[end]));
        }
        Collections.reverse(out);
        return out;
    }
}
