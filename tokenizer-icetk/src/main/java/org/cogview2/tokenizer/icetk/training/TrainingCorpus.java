package org.cogview2.tokenizer.icetk.training;

import org.cogview2.api.InvalidInputException;
import org.cogview2.api.SpecialToken;

import java.io.BufferedWriter;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.regex.Pattern;

/**
 * The corpus file spm_train reads: UTF-8, one sentence a line, in the caller's order (so the same sentences give the
 * same file, and the same model).
 */
final class TrainingCorpus {

    private static final Pattern LINE_BREAKS = Pattern.compile("\r\n|[\r\n\u0085\u2028\u2029]");

    private TrainingCorpus() {
    }

    /**
     * The line spm_train is given for one sentence, or an empty string for nothing to learn from. The three
     * {@code <start_of_...>} tokens (the style templates end with one) are cut out: icetk appends them as pieces at load,
     * so spm_train must neither learn them (a duplicate piece fails the load) nor spend vocabulary on their parts. Line
     * breaks become spaces: a line is a sentence to spm_train, and the NFKC rules read a line break as a space anyway.
     */
    static String line(String sentence) {
        String s = sentence;
        for (SpecialToken t : SpecialToken.values()) {
            s = s.replace(t.piece(), " ");
        }
        return LINE_BREAKS.matcher(s).replaceAll(" ").strip();
    }

    /** Writes the corpus and returns the number of lines written; fails if no sentence has anything to learn. */
    static int write(List<String> sentences, Path file) throws IOException {
        int lines = 0;
        try (BufferedWriter out = Files.newBufferedWriter(file, StandardCharsets.UTF_8)) {
            for (int i = 0; i < sentences.size(); i++) {
                String sentence = sentences.get(i);
                if (sentence == null) {
                    throw new InvalidInputException("corpus sentence " + i + " is null");
                }
                String line = line(sentence);
                if (!line.isEmpty()) {
                    out.write(line);
                    out.write('\n');
                    lines++;
                }
            }
        }
        if (lines == 0) {
            throw new InvalidInputException("the corpus has no sentence with text in it (" + sentences.size() + " given)");
        }
        return lines;
    }
}
