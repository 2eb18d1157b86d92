package org.cogview2.tokenizer.icetk.text;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.cogview2.api.SpecialToken;
import org.cogview2.checkpoint.testing.SharedTestData;
import org.cogview2.tokenizer.icetk.IceTextTokenizer;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestFactory;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

/** Every golden string of both official tokenizer models: ids, pieces and decoded text, with and without {@code <n>}. */
class TextTokenizerGoldenTest {

    @TestFactory
    Stream<DynamicTest> unigram_model_matches_icetk() throws IOException {
        return cases("text_tokenizer_unigram", "icetk/ice_text.model");
    }

    @TestFactory
    Stream<DynamicTest> bpe_model_matches_icetk() throws IOException {
        return cases("text_tokenizer_bpe", "icetk_bpe/ice_text.model");
    }

    @Test
    void special_tokens_get_ids_after_the_3000_pieces() {
        IceTextTokenizer t = IceTextTokenizer.load(SharedTestData.model("icetk/ice_text.model"));
        assertEquals(23000, t.specialTokenId(SpecialToken.START_OF_IMAGE));
        assertEquals(23001, t.specialTokenId(SpecialToken.START_OF_ENGLISH));
        assertEquals(23002, t.specialTokenId(SpecialToken.START_OF_CHINESE));
        assertEquals(23003, t.vocabularySize());
        assertEquals(20000, t.tokenId("no such piece"));
        assertEquals(123, t.tokenId("<image_123>"));
        assertEquals("<image_7>", t.tokenName(7));
        assertEquals("<unk>", t.tokenName(20000));
    }

    private static Stream<DynamicTest> cases(String caseName, String model) throws IOException {
        Path dir = SharedTestData.golden(caseName);
        IceTextTokenizer tokenizer = IceTextTokenizer.load(SharedTestData.model(model));
        JsonNode strings = new ObjectMapper().readTree(dir.resolve("strings.json").toFile());
        List<DynamicTest> tests = new ArrayList<>();
        for (int i = 0; i < strings.size(); i++) {
            JsonNode c = strings.get(i);
            String text = c.get("text").asText();
            tests.add(DynamicTest.dynamicTest("string " + i + ": " + abbreviate(text), () -> {
                int[] ids = tokenizer.encode(text);
                assertArrayEquals(ints(c.get("ids")), ids, "ids");
                assertEquals(strings(c.get("pieces")), tokenizer.tokenize(text), "pieces");
                assertEquals(c.get("decoded").asText(), tokenizer.decode(ids), "decoded");
                int[] withBreaks = tokenizer.encode(text, true);
                assertArrayEquals(ints(c.get("ids_linebreak")), withBreaks, "ids_linebreak");
                // icetk's tokenize() has no line-break option: the golden lists the names of the ids instead.
                List<String> names = new ArrayList<>();
                for (int id : withBreaks) {
                    names.add(tokenizer.tokenName(id));
                }
                assertEquals(strings(c.get("pieces_linebreak")), names, "pieces_linebreak");
                assertEquals(c.get("decoded_linebreak").asText(), tokenizer.decode(withBreaks), "decoded_linebreak");
            }));
        }
        return tests.stream();
    }

    private static int[] ints(JsonNode array) {
        int[] out = new int[array.size()];
        for (int i = 0; i < out.length; i++) {
            out[i] = array.get(i).asInt();
        }
        return out;
    }

    private static List<String> strings(JsonNode array) {
        List<String> out = new ArrayList<>();
        array.forEach(n -> out.add(n.asText()));
        return out;
    }

    private static String abbreviate(String s) {
        String flat = s.replace("\n", "\\n").replace("\t", "\\t").replace("\r", "\\r");
        return flat.length() > 40 ? flat.substring(0, 40) + "..." : flat;
    }
}
