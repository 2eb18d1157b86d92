package org.cogview2.tokenizer.icetk.text;

import org.cogview2.api.ModelFormatException;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Path;

/**
 * SentencePiece's {@code precompiled_charsmap} (spec 01 §1.7.1): a little-endian {@code uint32} trie size, a
 * Darts-clone double array of that many bytes, then a pool of NUL-terminated replacement strings. A longest
 * common-prefix match of the input bytes gives the replacement for that prefix.
 */
final class CharsMap {

    private final int[] units;
    private final byte[] pool;

    private CharsMap(int[] units, byte[] pool) {
        this.units = units;
        this.pool = pool;
    }

    /** The map of a blob, or null for an empty blob (identity normalisation). */
    static CharsMap parse(Path file, byte[] blob) {
        if (blob.length == 0) {
            return null;
        }
        if (blob.length < 4) {
            throw new ModelFormatException(file, "precompiled_charsmap of " + blob.length + " bytes is too short");
        }
        ByteBuffer in = ByteBuffer.wrap(blob).order(ByteOrder.LITTLE_ENDIAN);
        long trieSize = in.getInt(0) & 0xFFFFFFFFL;
        if (trieSize >= blob.length - 4L + 1 || trieSize % 4 != 0 || trieSize == 0) {
            throw new ModelFormatException(file, "precompiled_charsmap declares a trie of " + trieSize
                    + " bytes in a blob of " + blob.length);
        }
        int[] units = new int[(int) (trieSize / 4)];
        for (int i = 0; i < units.length; i++) {
            units[i] = in.getInt(4 + 4 * i);
        }
        byte[] pool = new byte[blob.length - 4 - (int) trieSize];
        System.arraycopy(blob, 4 + (int) trieSize, pool, 0, pool.length);
        return new CharsMap(units, pool);
    }

    /** A replacement: {@code pool[offset, offset + length)} for the first {@code consumed} input bytes. */
    record Replacement(int consumed, byte[] bytes, int offset, int length) {
    }

    /** The replacement of the longest match at {@code text[from, end)}, or null if none. */
    Replacement longestMatch(byte[] text, int from, int end) {
        int node = offset(units[0]);
        int bestLength = 0;
        int bestValue = -1;
        for (int i = from; i < end; i++) {
            int c = text[i] & 0xFF;
            node ^= c;
            if (node < 0 || node >= units.length) {
                break;
            }
            int u = units[node];
            if ((u & 0x800000FF) != c) {
                break;
            }
            node ^= offset(u);
            if (((u >>> 8) & 1) != 0) {
                if (node < 0 || node >= units.length) {
                    break;
                }
                bestLength = i - from + 1;
                bestValue = units[node] & 0x7FFFFFFF;
            }
        }
        if (bestLength == 0) {
            return null;
        }
        if (bestValue >= pool.length) {
            return new Replacement(bestLength, pool, 0, 0);
        }
        int stop = bestValue;
        while (stop < pool.length && pool[stop] != 0) {
            stop++;
        }
        return new Replacement(bestLength, pool, bestValue, stop - bestValue);
    }

    private static int offset(int unit) {
        return (unit >>> 10) << ((unit & (1 << 9)) >>> 6);
    }
}
