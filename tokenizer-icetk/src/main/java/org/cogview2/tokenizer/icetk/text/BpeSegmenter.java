package org.cogview2.tokenizer.icetk.text;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.PriorityQueue;

/**
 * The BPE model's segmentation (spec 01 §1.9, SentencePiece {@code bpe_model.cc} without dropout): start from
 * characters (user-defined pieces as frozen symbols), repeatedly merge the adjacent pair whose concatenation is
 * the best-scoring vocabulary piece (ties: leftmost first), then map each symbol to its id, re-splitting unused
 * pieces along the merges that made them.
 */
final class BpeSegmenter {

    private final ByteTrie vocabulary;
    private final ByteTrie userDefined;
    private final PieceType[] types;
    private final float[] scores;
    private final int unkId;
    private final java.util.function.Function<String, Integer> pieceToId;

    BpeSegmenter(ByteTrie vocabulary, ByteTrie userDefined, PieceType[] types, float[] scores, int unkId,
                 java.util.function.Function<String, Integer> pieceToId) {
        this.vocabulary = vocabulary;
        this.userDefined = userDefined;
        this.types = types;
        this.scores = scores;
        this.unkId = unkId;
        this.pieceToId = pieceToId;
    }

    private record Pair(int left, int right, float score, int size) {
    }

    List<Segment> segment(byte[] text) {
        int n = text.length;
        List<Segment> out = new ArrayList<>();
        if (n == 0) {
            return out;
        }
        // Symbols as byte ranges in a doubly linked list.
        List<int[]> symbols = new ArrayList<>(); // {start, end, frozen}
        int pos = 0;
        while (pos < n) {
            int user = userDefined.isEmpty() ? 0 : userDefined.longestPrefix(text, pos, n);
            if (user > 0) {
                symbols.add(new int[]{pos, pos + user, 1});
                pos += user;
            } else {
                int lead = text[pos] & 0xFF;
                int c = Math.min(lead < 0xC0 ? 1 : lead < 0xE0 ? 2 : lead < 0xF0 ? 3 : 4, n - pos);
                symbols.add(new int[]{pos, pos + c, 0});
                pos += c;
            }
        }
        int count = symbols.size();
        int[] start = new int[count];
        int[] end = new int[count];
        boolean[] frozen = new boolean[count];
        int[] prev = new int[count];
        int[] next = new int[count];
        for (int i = 0; i < count; i++) {
            start[i] = symbols.get(i)[0];
            end[i] = symbols.get(i)[1];
            frozen[i] = symbols.get(i)[2] == 1;
            prev[i] = i - 1;
            next[i] = i + 1 < count ? i + 1 : -1;
        }
        PriorityQueue<Pair> agenda = new PriorityQueue<>((a, b) -> a.score != b.score
                ? Float.compare(b.score, a.score) : Integer.compare(a.left, b.left));
        Map<String, String[]> reverseMerge = new HashMap<>();
        for (int i = 0; i + 1 < count; i++) {
            maybeAdd(text, i, i + 1, start, end, frozen, agenda, reverseMerge);
        }
        while (!agenda.isEmpty()) {
            Pair top = agenda.poll();
            int l = top.left();
            int r = top.right();
            if (start[l] == end[l] || start[r] == end[r] || (end[l] - start[l]) + (end[r] - start[r]) != top.size()
                    || next[l] != r) {
                continue; // stale
            }
            end[l] = end[r];
            start[r] = end[r]; // emptied
            next[l] = next[r];
            if (next[r] >= 0) {
                prev[next[r]] = l;
            }
            if (prev[l] >= 0) {
                maybeAdd(text, prev[l], l, start, end, frozen, agenda, reverseMerge);
            }
            if (next[l] >= 0) {
                maybeAdd(text, l, next[l], start, end, frozen, agenda, reverseMerge);
            }
        }
        for (int i = 0; i >= 0; i = next[i]) {
            resegment(text, start[i], end[i], reverseMerge, out);
        }
        return out;
    }

    private void maybeAdd(byte[] text, int l, int r, int[] start, int[] end, boolean[] frozen,
                          PriorityQueue<Pair> agenda, Map<String, String[]> reverseMerge) {
        if (l < 0 || r < 0 || frozen[l] || frozen[r]) {
            return;
        }
        int id = vocabulary.get(text, start[l], end[r]);
        if (id < 0) {
            return;
        }
        agenda.add(new Pair(l, r, scores[id], end[r] - start[l]));
        if (types[id] == PieceType.UNUSED) {
            reverseMerge.put(string(text, start[l], end[r]),
                    new String[]{string(text, start[l], end[l]), string(text, start[r], end[r])});
        }
    }

    private void resegment(byte[] text, int from, int to, Map<String, String[]> reverseMerge, List<Segment> out) {
        String w = string(text, from, to);
        int id = pieceToId.apply(w);
        if (id < 0 || types[id] != PieceType.UNUSED) {
            out.add(new Segment(from, to, id < 0 ? unkId : id));
            return;
        }
        String[] parts = reverseMerge.get(w);
        if (parts == null) {
            out.add(new Segment(from, to, id));
            return;
        }
        int mid = from + parts[0].getBytes(java.nio.charset.StandardCharsets.UTF_8).length;
        resegment(text, from, mid, reverseMerge, out);
        resegment(text, mid, to, reverseMerge, out);
    }

    private static String string(byte[] text, int from, int to) {
        return new String(Arrays.copyOfRange(text, from, to), java.nio.charset.StandardCharsets.UTF_8);
    }
}
