package org.cogview2.dataset.emoji;

import org.cogview2.dataset.DatasetFormatException;
import org.cogview2.dataset.SvgPicture;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.stream.Collectors;
import java.util.stream.Stream;

/**
 * A folder of one SVG per emoji, named by its code points in Twemoji's way: lower-case hex without leading zeros,
 * joined by {@code -} ({@code 1f42f.svg}, {@code 23-20e3.svg}). Twemoji drops the variation selector U+FE0F from file
 * names except inside ZWJ sequences, and not always there, so the name is tried as it is and then without any FE0F.
 */
public final class SvgFolderSource implements PictureSource {

    private static final String FE0F = "fe0f";

    private final String style;
    private final Path folder;
    private final Set<String> names;

    /** Lists the {@code .svg} files of {@code folder} (not its sub-folders). */
    public SvgFolderSource(String style, Path folder) {
        this.style = style;
        this.folder = folder;
        if (!Files.isDirectory(folder)) {
            throw new DatasetFormatException(folder, "the " + style + " picture folder does not exist");
        }
        try (Stream<Path> files = Files.list(folder)) {
            this.names = files.map(p -> p.getFileName().toString()).filter(n -> n.endsWith(".svg")).collect(Collectors.toUnmodifiableSet());
        } catch (IOException e) {
            throw new UncheckedIOException("cannot list " + folder, e);
        }
        if (names.isEmpty()) {
            throw new DatasetFormatException(folder, "the " + style + " picture folder holds no .svg file");
        }
    }

    @Override
    public String style() {
        return style;
    }

    @Override
    public Optional<SvgPicture> find(EmojiCaption emoji) {
        for (String candidate : candidates(emoji)) {
            String name = candidate + ".svg";
            if (names.contains(name)) {
                Path file = folder.resolve(name);
                return Optional.of(new SvgPicture(file, name, () -> read(file)));
            }
        }
        return Optional.empty();
    }

    /** File names (without {@code .svg}) an emoji may have, most exact first. */
    static List<String> candidates(EmojiCaption emoji) {
        List<String> points = emoji.codePoints();
        List<String> out = new ArrayList<>();
        out.add(String.join("-", points));
        List<String> withoutSelector = points.stream().filter(p -> !p.equals(FE0F)).toList();
        if (!withoutSelector.isEmpty() && withoutSelector.size() != points.size()) {
            out.add(String.join("-", withoutSelector));
        }
        return out;
    }

    private static String read(Path file) {
        try {
            return Files.readString(file, StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new DatasetFormatException(file, "cannot read the SVG: " + e.getMessage(), e);
        }
    }
}
