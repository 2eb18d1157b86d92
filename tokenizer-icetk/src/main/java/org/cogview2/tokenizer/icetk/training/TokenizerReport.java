package org.cogview2.tokenizer.icetk.training;

import org.cogview2.api.SpecialToken;
import org.cogview2.api.Tokenizer;
import org.cogview2.tokenizer.icetk.IceTextTokenizer;
import org.cogview2.tokenizer.icetk.text.PieceType;
import org.cogview2.tokenizer.icetk.text.SentencePieceProcessor;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * How a text tokenizer serves a corpus: piece counts per caption (CogView2 allows 110 ids in all, template included),
 * how often encoding had to give up (unknown or byte pieces) and whether every sentence comes back from its ids.
 *
 * @param vocabularySize     text pieces of the model file (without icetk's three appended special pieces)
 * @param english            pieces per English caption
 * @param chinese            pieces per Chinese caption
 * @param pieces             pieces the corpus encodes to
 * @param unknownRate        share of those pieces that are {@code <unk>}
 * @param byteRate           share that are byte-fallback pieces
 * @param sentences          corpus sentences checked
 * @param roundTripFailures  sentences whose {@code decode(encode(s))} is not {@code s} as normalised (at most
 *                           {@link #MAX_LISTED_FAILURES} listed)
 * @param roundTripFailCount how many sentences fail the round trip
 */
public record TokenizerReport(int vocabularySize, PieceStats english, PieceStats chinese, long pieces,
                              double unknownRate, double byteRate, int sentences, List<String> roundTripFailures,
                              int roundTripFailCount) {

    public static final int MAX_LISTED_FAILURES = 20;

    private static final String SPACE = "\u2581";

    /**
     * Pieces per caption of one language.
     *
     * @param captions how many were measured
     * @param mean     mean pieces per caption (0 for none)
     * @param max      most pieces of one caption
     */
    public record PieceStats(int captions, double mean, int max) {

        static PieceStats of(IceTextTokenizer tokenizer, List<String> captions) {
            long total = 0;
            int max = 0;
            for (String c : captions) {
                int n = tokenizer.encode(c).length;
                total += n;
                max = Math.max(max, n);
            }
            return new PieceStats(captions.size(), captions.isEmpty() ? 0 : (double) total / captions.size(), max);
        }
    }

    public TokenizerReport {
        roundTripFailures = List.copyOf(roundTripFailures);
    }

    /** The report for the captions of each language, with the corpus the model was trained on. */
    public static TokenizerReport measure(IceTextTokenizer tokenizer, List<String> english, List<String> chinese,
                                          List<String> corpus) {
        SentencePieceProcessor sp = tokenizer.processor();
        long pieces = 0;
        long unknown = 0;
        long bytes = 0;
        int failed = 0;
        List<String> failures = new ArrayList<>();
        for (String s : corpus) {
            int[] ids = tokenizer.encode(s);
            for (int iceId : ids) {
                int id = iceId - Tokenizer.IMAGE_TOKENS;
                if (id == sp.unkId()) {
                    unknown++;
                } else if (sp.type(id) == PieceType.BYTE) {
                    bytes++;
                }
            }
            pieces += ids.length;
            if (!tokenizer.decode(ids).equals(expectedDecode(tokenizer, s))) {
                failed++;
                if (failures.size() < MAX_LISTED_FAILURES) {
                    failures.add(s);
                }
            }
        }
        // The three appended special pieces are icetk's, not the file's.
        int fileSize = tokenizer.textPieceCount() - SpecialToken.values().length;
        return new TokenizerReport(fileSize, PieceStats.of(tokenizer, english), PieceStats.of(tokenizer, chinese),
                pieces, pieces == 0 ? 0 : (double) unknown / pieces, pieces == 0 ? 0 : (double) bytes / pieces,
                corpus.size(), failures, failed);
    }

    /** The report with the captions of both languages as the corpus. */
    public static TokenizerReport measure(IceTextTokenizer tokenizer, List<String> english, List<String> chinese) {
        List<String> corpus = new ArrayList<>(english);
        corpus.addAll(chinese);
        return measure(tokenizer, english, chinese, corpus);
    }

    /**
     * What a lossless tokenizer gives back for {@code s}: the normalised text with {@code ▁} read as a space, without
     * the dummy prefix, and {@code <n>} as a line break (icetk's decode).
     */
    static String expectedDecode(IceTextTokenizer tokenizer, String s) {
        String text = tokenizer.processor().normalize(s).replace(SPACE, " ");
        if (text.startsWith(" ")) {
            text = text.substring(1);
        }
        return text.replace("<n>", "\n");
    }

    public boolean everySentenceRoundTrips() {
        return roundTripFailCount == 0;
    }

    /** A few lines for a log. */
    public String summary() {
        return String.format(Locale.ROOT, """
                        vocabulary: %d pieces (ICE ids %d..%d, then icetk's 3 special tokens)
                        English captions: %d, pieces per caption mean %.2f, max %d
                        Chinese captions: %d, pieces per caption mean %.2f, max %d
                        corpus: %d sentences, %d pieces, unknown %.4f%%, byte fallback %.4f%%
                        round trip: %s""",
                vocabularySize, Tokenizer.IMAGE_TOKENS, Tokenizer.IMAGE_TOKENS + vocabularySize - 1,
                english.captions(), english.mean(), english.max(),
                chinese.captions(), chinese.mean(), chinese.max(),
                sentences, pieces, 100 * unknownRate, 100 * byteRate,
                everySentenceRoundTrips() ? "every sentence" : roundTripFailCount + " sentences fail, e.g. " + roundTripFailures);
    }
}
