package org.cogview2.tokenizer.icetk.text;

import org.cogview2.api.InvalidInputException;
import org.cogview2.api.ModelFormatException;
import org.junit.jupiter.api.Test;

import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.Random;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertDoesNotThrow;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class SentencePieceRobustnessTest {

    private static final Path FILE = Path.of("tiny.model");

    private static SentencePieceProcessor load(byte[] bytes) {
        return SentencePieceProcessor.load(FILE, ModelProto.parse(FILE, bytes));
    }

    @Test
    void unigram_prefers_the_best_scoring_path() {
        SentencePieceProcessor sp = load(TinyModels.basic().bytes());
        assertEquals(List.of("\u2581", "abc"), sp.encodeAsPieces("abc"));
        assertEquals(List.of("\u2581", "abc", "\u2581", "ab"), sp.encodeAsPieces("  abc   ab "));
        assertEquals("abc ab", sp.decode(sp.encodeAsIds("abc  ab")));
    }

    @Test
    void consecutive_unknown_characters_become_one_unknown_id() {
        SentencePieceProcessor sp = load(TinyModels.basic().bytes());
        int[] ids = sp.encodeAsIds("axyzb");
        assertArrayEquals(new int[]{3, 4, 0, 5}, ids);
        assertEquals(List.of("\u2581", "a", "xyz", "b"), sp.encodeAsPieces("axyzb"));
        assertEquals("a \u2047 b", sp.decode(ids));
    }

    @Test
    void byte_fallback_spells_unknown_characters_as_bytes_and_decodes_them_back() {
        SentencePieceProcessor sp = load(TinyModels.basic().byteFallback().bytes());
        int[] ids = sp.encodeAsIds("a\u00e9");
        List<String> pieces = sp.encodeAsPieces("a\u00e9");
        assertEquals(List.of("\u2581", "a", "<0xC3>", "<0xA9>"), pieces);
        assertEquals("a\u00e9", sp.decode(ids));
        // A lone continuation byte decodes to U+FFFD.
        int lone = sp.pieceToId("<0xA9>");
        assertEquals("a\uFFFD", sp.decode(new int[]{sp.pieceToId("a"), lone}));
    }

    @Test
    void bpe_merges_to_the_vocabulary() {
        SentencePieceProcessor sp = load(TinyModels.basic().bpe().bytes());
        assertEquals(List.of("\u2581", "abc"), sp.encodeAsPieces("abc"));
        assertEquals(List.of("\u2581", "c", "ab"), sp.encodeAsPieces("cab"));
    }

    @Test
    void arbitrary_unicode_never_throws() {
        SentencePieceProcessor sp = load(TinyModels.basic().bytes());
        Random random = new Random(7);
        for (int i = 0; i < 200; i++) {
            char[] chars = new char[random.nextInt(50)];
            for (int j = 0; j < chars.length; j++) {
                chars[j] = (char) random.nextInt(0x10000); // includes unpaired surrogates and controls
            }
            String s = new String(chars);
            assertDoesNotThrow(() -> sp.decode(sp.encodeAsIds(s)), () -> "input " + Arrays.toString(chars));
        }
        String huge = "ab".repeat(50_000);
        assertEquals(50_001, sp.encodeAsIds(huge).length);
        assertArrayEquals(new int[]{3, 0}, sp.encodeAsIds("\uD800"));
    }

    @Test
    void corrupt_and_truncated_models_are_rejected_with_the_file_named() {
        byte[] good = TinyModels.basic().bytes();
        ModelFormatException truncated = assertThrows(ModelFormatException.class,
                () -> ModelProto.parse(FILE, Arrays.copyOf(good, good.length - 3)));
        assertTrue(truncated.getMessage().contains("tiny.model"), truncated.getMessage());
        assertThrows(ModelFormatException.class, () -> ModelProto.parse(FILE, new byte[]{(byte) 0xFF, (byte) 0xFF, (byte) 0xFF}));
    }

    @Test
    void structural_problems_of_the_vocabulary_are_specific_errors() {
        ModelFormatException empty = assertThrows(ModelFormatException.class, () -> load(new TinyModels().bytes()));
        assertTrue(empty.getMessage().contains("no pieces"), empty.getMessage());

        ModelFormatException noUnk = assertThrows(ModelFormatException.class,
                () -> load(new TinyModels().piece("a", -1f, 1).bytes()));
        assertTrue(noUnk.getMessage().contains("no UNKNOWN"), noUnk.getMessage());

        ModelFormatException twice = assertThrows(ModelFormatException.class,
                () -> load(TinyModels.basic().piece("ab", -3f, 1).bytes()));
        assertTrue(twice.getMessage().contains("defined twice"), twice.getMessage());

        ModelFormatException badType = assertThrows(ModelFormatException.class,
                () -> load(TinyModels.basic().piece("zz", -3f, 42).bytes()));
        assertTrue(badType.getMessage().contains("unknown type 42"), badType.getMessage());

        ModelFormatException strayByte = assertThrows(ModelFormatException.class,
                () -> load(TinyModels.basic().piece("<0x41>", 0f, 6).bytes()));
        assertTrue(strayByte.getMessage().contains("byte_fallback is off"), strayByte.getMessage());
    }

    @Test
    void out_of_range_ids_fail_to_decode_with_the_id() {
        SentencePieceProcessor sp = load(TinyModels.basic().bytes());
        InvalidInputException e = assertThrows(InvalidInputException.class, () -> sp.decode(new int[]{1, 99}));
        assertTrue(e.getMessage().contains("99"), e.getMessage());
    }
}
