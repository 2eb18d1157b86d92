package org.cogview2.conformance.golden;

import com.fasterxml.jackson.databind.JsonNode;
import org.cogview2.conformance.Comparison;
import org.cogview2.conformance.ComparisonResult;
import org.cogview2.tokenizer.icetk.IceTextTokenizer;

import java.util.ArrayList;
import java.util.List;

/**
 * {@code text_tokenizer}: every golden string through the ICE text tokenizer: ids, pieces and decoded text, with and
 * without {@code <n>} line breaks. Strings are compared exactly; one comparison per output, counting mismatching
 * strings (the first one named).
 */
final class TextTokenizerKind implements GoldenKind {

    private static final String[] OUTPUTS = {"ids", "pieces", "decoded", "ids_linebreak", "pieces_linebreak", "decoded_linebreak"};

    @Override
    public String kind() {
        return "text_tokenizer";
    }

    @Override
    public List<ComparisonResult> run(GoldenCase golden, GoldenContext context) {
        IceTextTokenizer tokenizer = GoldenModels.text(golden.model(), context);
        JsonNode strings = golden.json("strings");
        int n = strings.size();
        int[][] mismatch = new int[OUTPUTS.length][n];
        String[] firstProblem = new String[OUTPUTS.length];
        for (int i = 0; i < n; i++) {
            JsonNode c = strings.get(i);
            String text = c.get("text").asText();
            int[] ids = tokenizer.encode(text);
            int[] idsBreak = tokenizer.encode(text, true);
            List<String> names = new ArrayList<>();
            for (int id : idsBreak) {
                names.add(tokenizer.tokenName(id)); // icetk's tokenize() has no line-break option: ids' names
            }
            Object[] got = {ints(ids), tokenizer.tokenize(text), tokenizer.decode(ids),
                    ints(idsBreak), names, tokenizer.decode(idsBreak)};
            for (int o = 0; o < OUTPUTS.length; o++) {
                Object want = expected(c.get(OUTPUTS[o]));
                if (!want.equals(got[o])) {
                    mismatch[o][i] = 1;
                    if (firstProblem[o] == null) {
                        firstProblem[o] = "string " + i + ": want " + want + ", got " + got[o];
                    }
                }
            }
        }
        List<ComparisonResult> results = new ArrayList<>();
        for (int o = 0; o < OUTPUTS.length; o++) {
            ComparisonResult r = Comparison.ints(OUTPUTS[o] + " (per string)", new int[]{n}, new int[n], mismatch[o]);
            results.add(firstProblem[o] == null ? r
                    : org.cogview2.conformance.ComparisonResult.structural(OUTPUTS[o], new int[]{n},
                    org.cogview2.conformance.Tolerance.EXACT, firstProblem[o]));
        }
        return results;
    }

    private static List<Integer> ints(int[] values) {
        List<Integer> out = new ArrayList<>();
        for (int v : values) {
            out.add(v);
        }
        return out;
    }

    private static Object expected(JsonNode node) {
        if (node.isTextual()) {
            return node.asText();
        }
        List<Object> out = new ArrayList<>();
        node.forEach(e -> out.add(e.isInt() ? (Object) e.asInt() : e.asText()));
        return out;
    }
}
