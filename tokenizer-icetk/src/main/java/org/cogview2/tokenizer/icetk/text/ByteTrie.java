package org.cogview2.tokenizer.icetk.text;

import java.util.Arrays;

/**
 * A trie over UTF-8 bytes for common-prefix search: for a position of the normalised text, every stored string that
 * starts there, in increasing length. Children are found through one open-addressing hash table keyed by
 * (node, byte), so lookups allocate nothing.
 */
final class ByteTrie {

    /** Receives one match of a common-prefix search. */
    @FunctionalInterface
    interface Match {
        void accept(int length, int value);
    }

    private int[] values = new int[]{-1};
    private int nodes = 1;
    private long[] keys = new long[1024];
    private int[] children = new int[1024];
    private int size;

    ByteTrie() {
        Arrays.fill(keys, -1L);
    }

    /** Stores {@code value} for {@code key} (replacing an earlier value). */
    void put(byte[] key, int value) {
        int node = 0;
        for (byte b : key) {
            int next = child(node, b);
            if (next < 0) {
                next = newNode();
                insert(node, b, next);
            }
            node = next;
        }
        values[node] = value;
    }

    /** The value stored for exactly {@code key[from, to)}, or -1. */
    int get(byte[] key, int from, int to) {
        int node = 0;
        for (int i = from; i < to && node >= 0; i++) {
            node = child(node, key[i]);
        }
        return node < 0 ? -1 : values[node];
    }

    /** Every stored string that is a prefix of {@code text[from, end)}, shortest first. */
    void prefixes(byte[] text, int from, int end, Match match) {
        int node = 0;
        for (int i = from; i < end; i++) {
            node = child(node, text[i]);
            if (node < 0) {
                return;
            }
            if (values[node] >= 0) {
                match.accept(i - from + 1, values[node]);
            }
        }
    }

    /** Length of the longest stored prefix of {@code text[from, end)}, or 0. */
    int longestPrefix(byte[] text, int from, int end) {
        int node = 0;
        int best = 0;
        for (int i = from; i < end; i++) {
            node = child(node, text[i]);
            if (node < 0) {
                break;
            }
            if (values[node] >= 0) {
                best = i - from + 1;
            }
        }
        return best;
    }

    boolean isEmpty() {
        return nodes == 1;
    }

    private int newNode() {
        if (nodes == values.length) {
            int old = values.length;
            values = Arrays.copyOf(values, old * 2);
            Arrays.fill(values, old, values.length, -1);
        }
        return nodes++;
    }

    private static long key(int node, byte b) {
        return ((long) node << 8) | (b & 0xFF);
    }

    private int slot(long key) {
        long h = key * 0x9E3779B97F4A7C15L;
        return (int) (h >>> 40) & (keys.length - 1);
    }

    private int child(int node, byte b) {
        long k = key(node, b);
        for (int s = slot(k); ; s = (s + 1) & (keys.length - 1)) {
            if (keys[s] == k) {
                return children[s];
            }
            if (keys[s] == -1L) {
                return -1;
            }
        }
    }

    private void insert(int node, byte b, int child) {
        if ((size + 1) * 2 > keys.length) {
            grow();
        }
        long k = key(node, b);
        int s = slot(k);
        while (keys[s] != -1L) {
            s = (s + 1) & (keys.length - 1);
        }
        keys[s] = k;
        children[s] = child;
        size++;
    }

    private void grow() {
        long[] oldKeys = keys;
        int[] oldChildren = children;
        keys = new long[oldKeys.length * 2];
        children = new int[oldKeys.length * 2];
        Arrays.fill(keys, -1L);
        for (int i = 0; i < oldKeys.length; i++) {
            if (oldKeys[i] != -1L) {
                int s = slot(oldKeys[i]);
                while (keys[s] != -1L) {
                    s = (s + 1) & (keys.length - 1);
                }
                keys[s] = oldKeys[i];
                children[s] = oldChildren[i];
            }
        }
    }
}
