package org.cogview2.dataset;

import java.nio.file.Path;

/** A data-set file that is not what it should be; the message names the file, the line and the field. */
public final class DatasetFormatException extends RuntimeException {

    private final transient Path file;

    public DatasetFormatException(Path file, String message) {
        super(file + ": " + message);
        this.file = file;
    }

    public DatasetFormatException(Path file, String message, Throwable cause) {
        super(file + ": " + message, cause);
        this.file = file;
    }

    /** The file at fault. */
    public Path file() {
        return file;
    }
}
