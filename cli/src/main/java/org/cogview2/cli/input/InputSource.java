package org.cogview2.cli.input;

import org.cogview2.api.InvalidInputException;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.UncheckedIOException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Iterator;
import java.util.NoSuchElementException;

/**
 * The official scripts' {@code --input-source}: a UTF-8 file with one input per line, or, for {@code -} and
 * {@code interactive}, standard input until end of file. Lines are read one at a time (standard input is served as
 * it is typed); blank lines are skipped, as the official loop skips them.
 */
public final class InputSource implements Iterable<InputLine>, AutoCloseable {

    private final String name;
    private final Path file;
    private final BufferedReader reader;

    private InputSource(String name, Path file, BufferedReader reader) {
        this.name = name;
        this.file = file;
        this.reader = reader;
    }

    /**
     * Opens {@code source}: {@code -} or {@code interactive} for {@code stdin}, otherwise a file.
     *
     * @throws InvalidInputException if the file does not exist
     */
    public static InputSource open(String source, InputStream stdin) {
        if (source.equals("-") || source.equals("interactive")) {
            return new InputSource("standard input", null, reader(stdin));
        }
        Path file = Path.of(source);
        if (!Files.isRegularFile(file)) {
            throw new InvalidInputException("input source " + file + " does not exist or is not a file");
        }
        try {
            return new InputSource(file.toString(), file, reader(Files.newInputStream(file)));
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read " + file + ": " + e.getMessage(), e);
        }
    }

    private static BufferedReader reader(InputStream in) {
        // a byte that is not UTF-8 fails the read instead of becoming U+FFFD in a prompt
        return new BufferedReader(new InputStreamReader(in, StandardCharsets.UTF_8.newDecoder()
                .onMalformedInput(CodingErrorAction.REPORT).onUnmappableCharacter(CodingErrorAction.REPORT)));
    }

    /** The file, or {@code null} for standard input. */
    public Path file() {
        return file;
    }

    /** Whether this is standard input. */
    public boolean interactive() {
        return file == null;
    }

    @Override
    public String toString() {
        return name;
    }

    /** The non-blank lines, read lazily; a read error surfaces as an {@link UncheckedIOException}. */
    @Override
    public Iterator<InputLine> iterator() {
        return new Iterator<>() {
            private InputLine next;
            private int number;

            @Override
            public boolean hasNext() {
                while (next == null) {
                    String line;
                    try {
                        line = reader.readLine();
                    } catch (IOException e) {
                        throw new UncheckedIOException("cannot read line " + (number + 1) + " of " + name + ": "
                                + e.getMessage(), e);
                    }
                    if (line == null) {
                        return false;
                    }
                    number++;
                    String text = line.strip();
                    if (number == 1 && text.startsWith("\uFEFF")) {
                        text = text.substring(1).strip(); // a byte-order mark some editors write
                    }
                    if (!text.isEmpty()) {
                        next = new InputLine(number, text);
                    }
                }
                return true;
            }

            @Override
            public InputLine next() {
                if (!hasNext()) {
                    throw new NoSuchElementException();
                }
                InputLine line = next;
                next = null;
                return line;
            }
        };
    }

    /** Closes a file; standard input is left open. */
    @Override
    public void close() {
        if (file != null) {
            try {
                reader.close();
            } catch (IOException ignored) {
                // nothing was written
            }
        }
    }
}
