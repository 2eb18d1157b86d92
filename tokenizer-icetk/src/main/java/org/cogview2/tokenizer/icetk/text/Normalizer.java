package org.cogview2.tokenizer.icetk.text;

import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.nio.CharBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CharsetEncoder;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;

/**
 * SentencePiece's {@code Normalizer::Normalize} (spec 01 §1.7): user-defined pieces pass unchanged, the
 * precompiled character map rewrites the rest prefix by prefix, whitespace is trimmed and collapsed, spaces become
 * {@code ▁} (U+2581) and a dummy {@code ▁} is put in front.
 */
final class Normalizer {

    static final byte[] SPACE_SYMBOL = {(byte) 0xE2, (byte) 0x96, (byte) 0x81};
    private static final byte[] REPLACEMENT_CHAR = {(byte) 0xEF, (byte) 0xBF, (byte) 0xBD};

    private final CharsMap charsMap;
    private final ByteTrie userDefined;
    private final boolean addDummyPrefix;
    private final boolean removeExtraWhitespaces;
    private final boolean escapeWhitespaces;
    private final boolean treatWhitespaceAsSuffix;

    Normalizer(CharsMap charsMap, ByteTrie userDefined, ModelProto.Normalization spec, boolean treatWhitespaceAsSuffix) {
        this.charsMap = charsMap;
        this.userDefined = userDefined;
        this.addDummyPrefix = spec.addDummyPrefix();
        this.removeExtraWhitespaces = spec.removeExtraWhitespaces();
        this.escapeWhitespaces = spec.escapeWhitespaces();
        this.treatWhitespaceAsSuffix = treatWhitespaceAsSuffix;
    }

    /**
     * UTF-8 bytes of a Java string. Unpaired surrogates (which Python cannot even pass to SentencePiece) become
     * U+FFFD, so any string can be encoded.
     */
    static byte[] utf8(String text) {
        CharsetEncoder encoder = StandardCharsets.UTF_8.newEncoder()
                .onMalformedInput(CodingErrorAction.REPLACE)
                .onUnmappableCharacter(CodingErrorAction.REPLACE)
                .replaceWith(REPLACEMENT_CHAR);
        try {
            ByteBuffer out = encoder.encode(CharBuffer.wrap(text));
            byte[] bytes = new byte[out.remaining()];
            out.get(bytes);
            return bytes;
        } catch (CharacterCodingException e) {
            throw new IllegalStateException("UTF-8 encoding with replacement cannot fail", e);
        }
    }

    /** The normalised bytes of {@code input}. */
    byte[] normalize(byte[] input) {
        int n = input.length;
        if (n == 0) {
            return new byte[0];
        }
        int pos = 0;
        Prefix p = new Prefix();
        if (removeExtraWhitespaces) {
            while (pos < n) {
                prefix(input, pos, p);
                if (p.length == 1 && p.bytes[p.offset] == ' ') {
                    pos += p.consumed;
                } else {
                    break;
                }
            }
            if (pos == n) {
                return new byte[0];
            }
        }
        ByteArrayOutputStream out = new ByteArrayOutputStream(n + 16);
        byte[] space = escapeWhitespaces ? SPACE_SYMBOL : new byte[]{' '};
        if (addDummyPrefix && !treatWhitespaceAsSuffix) {
            out.write(space, 0, space.length);
        }
        boolean prevSpace = removeExtraWhitespaces;
        while (pos < n) {
            prefix(input, pos, p);
            int from = p.offset;
            int to = p.offset + p.length;
            if (prevSpace) {
                while (from < to && p.bytes[from] == ' ') {
                    from++;
                }
            }
            if (from < to) {
                for (int i = from; i < to; i++) {
                    if (escapeWhitespaces && p.bytes[i] == ' ') {
                        out.write(SPACE_SYMBOL, 0, SPACE_SYMBOL.length);
                    } else {
                        out.write(p.bytes[i]);
                    }
                }
                prevSpace = p.bytes[to - 1] == ' ';
            }
            pos += p.consumed;
            if (!removeExtraWhitespaces) {
                prevSpace = false;
            }
        }
        byte[] result = out.toByteArray();
        int length = result.length;
        if (removeExtraWhitespaces) {
            while (endsWith(result, length, space)) {
                length -= space.length;
            }
        }
        if (addDummyPrefix && treatWhitespaceAsSuffix) {
            byte[] withSuffix = java.util.Arrays.copyOf(result, length + SPACE_SYMBOL.length);
            System.arraycopy(SPACE_SYMBOL, 0, withSuffix, length, SPACE_SYMBOL.length);
            return withSuffix;
        }
        return java.util.Arrays.copyOf(result, length);
    }

    /** The result of {@code NormalizePrefix}: replacement {@code bytes[offset, offset + length)} for {@code consumed} input bytes. */
    private static final class Prefix {
        byte[] bytes;
        int offset;
        int length;
        int consumed;
    }

    private void prefix(byte[] input, int pos, Prefix p) {
        int n = input.length;
        int user = userDefined.isEmpty() ? 0 : userDefined.longestPrefix(input, pos, n);
        if (user > 0) {
            set(p, input, pos, user, user);
            return;
        }
        if (charsMap != null) {
            CharsMap.Replacement r = charsMap.longestMatch(input, pos, n);
            if (r != null) {
                set(p, r.bytes(), r.offset(), r.length(), r.consumed());
                return;
            }
        }
        int len = validCharLength(input, pos, n);
        if (len > 0) {
            set(p, input, pos, len, len);
        } else {
            set(p, REPLACEMENT_CHAR, 0, REPLACEMENT_CHAR.length, 1);
        }
    }

    private static void set(Prefix p, byte[] bytes, int offset, int length, int consumed) {
        p.bytes = bytes;
        p.offset = offset;
        p.length = length;
        p.consumed = consumed;
    }

    /** Length of the structurally valid UTF-8 character at {@code pos}, or 0 if it is malformed. */
    static int validCharLength(byte[] s, int pos, int end) {
        int b0 = s[pos] & 0xFF;
        if (b0 < 0x80) {
            return 1;
        }
        int left = end - pos;
        if (left >= 2 && (b0 & 0xE0) == 0xC0 && trail(s[pos + 1])) {
            int cp = ((b0 & 0x1F) << 6) | (s[pos + 1] & 0x3F);
            return cp >= 0x80 ? 2 : 0;
        }
        if (left >= 3 && (b0 & 0xF0) == 0xE0 && trail(s[pos + 1]) && trail(s[pos + 2])) {
            int cp = ((b0 & 0x0F) << 12) | ((s[pos + 1] & 0x3F) << 6) | (s[pos + 2] & 0x3F);
            return cp >= 0x800 && (cp < 0xD800 || cp > 0xDFFF) ? 3 : 0;
        }
        if (left >= 4 && (b0 & 0xF8) == 0xF0 && trail(s[pos + 1]) && trail(s[pos + 2]) && trail(s[pos + 3])) {
            int cp = ((b0 & 0x07) << 18) | ((s[pos + 1] & 0x3F) << 12) | ((s[pos + 2] & 0x3F) << 6) | (s[pos + 3] & 0x3F);
            return cp >= 0x10000 && cp <= 0x10FFFF ? 4 : 0;
        }
        return 0;
    }

    private static boolean trail(byte b) {
        return (b & 0xC0) == 0x80;
    }

    private static boolean endsWith(byte[] s, int length, byte[] suffix) {
        if (length < suffix.length) {
            return false;
        }
        for (int i = 0; i < suffix.length; i++) {
            if (s[length - suffix.length + i] != suffix[i]) {
                return false;
            }
        }
        return true;
    }
}
