package org.cogview2.tokenizer.icetk.text;

import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.constraints.Size;
import org.cogview2.api.ModelFormatException;

import java.nio.file.Path;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Property tests of the SentencePiece model reader: corrupted or random bytes either load (and then encode any
 * text) or fail with {@link ModelFormatException}; nothing else escapes, nothing hangs. Fixed seeds for CI; raise
 * {@code -Djqwik.tries.default} for a longer run by hand.
 */
class ModelProtoFuzzTest {

    private static final Path FILE = Path.of("fuzz.model");
    private static final byte[] VALID = TinyModels.basic().byteFallback().bytes();

    private static void loadOrRefuse(byte[] bytes) {
        try {
            SentencePieceProcessor sp = SentencePieceProcessor.load(FILE, ModelProto.parse(FILE, bytes));
            sp.decode(sp.encodeAsIds("abc xyz \u00e9\u4e2d"));
        } catch (ModelFormatException expected) {
            assertTrue(expected.getMessage().contains("fuzz.model"), expected.getMessage());
        }
    }

    @Property(tries = 400, seed = "20221126")
    void mutated_models_load_or_fail_with_a_model_format_error(@ForAll("mutations") List<int[]> edits) {
        byte[] bytes = VALID.clone();
        for (int[] edit : edits) {
            bytes[edit[0] % bytes.length] = (byte) edit[1];
        }
        loadOrRefuse(bytes);
    }

    @Property(tries = 400, seed = "20221127")
    void truncated_models_load_or_fail_with_a_model_format_error(@ForAll("cuts") int length) {
        loadOrRefuse(java.util.Arrays.copyOf(VALID, Math.min(length, VALID.length)));
    }

    @Property(tries = 300, seed = "20221128")
    void random_bytes_load_or_fail_with_a_model_format_error(@ForAll @Size(max = 300) byte[] bytes) {
        loadOrRefuse(bytes);
    }

    @Provide
    Arbitrary<List<int[]>> mutations() {
        Arbitrary<int[]> edit = Arbitraries.integers().between(0, Integer.MAX_VALUE)
                .flatMap(pos -> Arbitraries.integers().between(0, 255).map(b -> new int[]{pos, b}));
        return edit.list().ofMinSize(1).ofMaxSize(8);
    }

    @Provide
    Arbitrary<Integer> cuts() {
        return Arbitraries.integers().between(0, VALID.length);
    }
}
