package org.cogview2.dataset;

import java.nio.file.Path;
import java.util.Objects;
import java.util.function.Supplier;

/**
 * One SVG picture of a picture set, not yet read or rendered.
 *
 * @param file     the file it comes from (an {@code .svg} file, or the icon-set JSON holding it); named in errors
 * @param name     its name inside that source ({@code 1f42f.svg}, {@code tiger-face})
 * @param document gives the full SVG document text; called on a worker thread, so large sets are not held in memory
 *                 as documents all at once. May throw {@link DatasetFormatException}.
 */
public record SvgPicture(Path file, String name, Supplier<String> document) {

    public SvgPicture {
        Objects.requireNonNull(file, "file");
        Objects.requireNonNull(name, "name");
        Objects.requireNonNull(document, "document");
    }
}
