package org.cogview2.cli.input;

import org.cogview2.api.InvalidInputException;

/**
 * A line of {@code generate --input-source}: the prompt, or with {@code --with-id} {@code id<TAB>prompt} (the
 * official {@code query_id, raw_text = raw_text.split('\t')}).
 *
 * @param id     the id, naming the folder the samples go to; {@code null} without {@code --with-id}
 * @param prompt the prompt
 */
public record PromptLine(String id, String prompt) {

    public static PromptLine parse(String line, boolean withId) {
        if (!withId) {
            return new PromptLine(null, line);
        }
        String[] fields = line.split("\t", -1);
        if (fields.length != 2) {
            throw new InvalidInputException("with --with-id a line is id<TAB>prompt, this one has " + fields.length
                    + " tab-separated field(s)");
        }
        return new PromptLine(OutputNames.checkId(fields[0]), nonEmpty(fields[1]));
    }

    static String nonEmpty(String prompt) {
        if (prompt.isBlank()) {
            throw new InvalidInputException("the prompt is empty");
        }
        return prompt.strip();
    }
}
