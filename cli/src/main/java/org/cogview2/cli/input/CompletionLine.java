package org.cogview2.cli.input;

import org.cogview2.api.CompletionBox;
import org.cogview2.api.InvalidInputException;

import java.nio.file.Files;
import java.nio.file.Path;

/**
 * A line of {@code complete --input-source}, as the official {@code cogview2_completion.py} reads it:
 * {@code text<TAB>image_path<TAB>h0<TAB>w0<TAB>h1<TAB>w1}, with an id first under {@code --with-id}. The four
 * fractions are row, column, row, column (the official code calls them {@code x0 y0 x1 y1}).
 *
 * @param id     the id, naming the folder the completions go to; {@code null} without {@code --with-id}
 * @param prompt what to draw in the box
 * @param image  the picture
 * @param box    the region to re-draw
 */
public record CompletionLine(String id, String prompt, Path image, CompletionBox box) {

    /**
     * Parses a line. A relative picture path is taken from the current directory, as the official script does, or
     * failing that from {@code inputFolder} (the input file's folder; {@code null} for standard input).
     */
    public static CompletionLine parse(String line, boolean withId, Path inputFolder) {
        String[] f = line.split("\t", -1);
        int first = withId ? 1 : 0;
        if (f.length != first + 6) {
            throw new InvalidInputException("a line is " + (withId ? "id<TAB>" : "")
                    + "text<TAB>image_path<TAB>h0<TAB>w0<TAB>h1<TAB>w1, this one has " + f.length
                    + " tab-separated field(s)");
        }
        String id = withId ? OutputNames.checkId(f[0]) : null;
        String prompt = PromptLine.nonEmpty(f[first]);
        Path image = Path.of(f[first + 1].strip());
        if (!image.isAbsolute() && !Files.exists(image) && inputFolder != null) {
            image = inputFolder.resolve(image);
        }
        CompletionBox box = CompletionBox.parse(String.join(",", f[first + 2], f[first + 3], f[first + 4], f[first + 5]));
        return new CompletionLine(id, prompt, image, box);
    }
}
