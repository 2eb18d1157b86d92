package org.cogview2.cli.input;

import org.cogview2.api.InvalidInputException;

import java.nio.file.Path;

/**
 * Where the pictures of one input line go. With {@code --with-id}, as {@code text2image.sh} does, a folder named
 * after the id holding {@code 0.png ... (N-1).png} and the grid {@code concat.png}; without, in the output folder,
 * {@code <line>-<first 20 characters of the prompt>.png} (the grid) and {@code <line>-<prefix>-<i>.png}. The line
 * number takes the place of the official timestamp so that names are stable from run to run.
 */
public final class OutputNames {

    private OutputNames() {
    }

    /** An id must make one folder name inside the output folder: no separators, no {@code .}/{@code ..}. */
    static String checkId(String id) {
        String s = id.strip();
        boolean control = s.chars().anyMatch(c -> c < 0x20 || c == 0x7f);
        if (s.isEmpty() || s.equals(".") || s.equals("..") || s.contains("/") || s.contains("\\") || control
                || s.length() > 200) {
            throw new InvalidInputException("id '" + s + "' cannot name a folder (it must be 1 to 200 characters, "
                    + "without '/', '\\\\' or control characters, and not '.' or '..')");
        }
        return s;
    }

    /** The grid of a line: {@code <dir>/<id>/concat.png}, or {@code <dir>/<line>-<prefix>.png}. */
    public static Path grid(Path dir, InputLine line, String id, String prompt) {
        if (id != null) {
            return dir.resolve(id).resolve("concat.png");
        }
        return dir.resolve(line.number() + "-" + prefix(prompt) + ".png");
    }

    /** Sample {@code i}: {@code <dir>/<id>/<i>.png}, or {@code <grid stem>-<i>.png} beside the grid. */
    public static Path sample(Path grid, String id, int i) {
        if (id != null) {
            return grid.resolveSibling(i + ".png");
        }
        String name = grid.getFileName().toString();
        int dot = name.lastIndexOf('.');
        return grid.resolveSibling((dot > 0 ? name.substring(0, dot) : name) + "-" + i + ".png");
    }

    /** The official {@code raw_text.replace('/', '')[:20]}, also without other characters a file name cannot hold. */
    static String prefix(String prompt) {
        StringBuilder b = new StringBuilder();
        prompt.codePoints().filter(c -> c >= 0x20 && c != 0x7f && "/\\:*?\"<>|".indexOf(c) < 0)
                .limit(20).forEach(b::appendCodePoint);
        String s = b.toString().strip();
        return s.isEmpty() ? "prompt" : s;
    }
}
