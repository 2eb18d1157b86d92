package org.cogview2.checkpoint;

import org.cogview2.api.ModelFormatException;

import java.nio.file.Path;

/**
 * Base of the checkpoint module's format errors: a model file is malformed in a way this module detected. The
 * message names the file and, where there is one, the zip entry, dict key or tensor ({@link #entry()}).
 * Subclasses say which layer of the format is at fault.
 */
public class CheckpointFormatException extends ModelFormatException {

    /** The zip entry, key or tensor at fault, or null. */
    private final String entry;

    /**
     * @param file    the file at fault
     * @param entry   the zip entry, key or tensor at fault, or {@code null}
     * @param problem what is wrong, stating what was expected and what was found
     */
    public CheckpointFormatException(Path file, String entry, String problem) {
        super(file, entry == null ? problem : entry + ": " + problem);
        this.entry = entry;
    }

    /** Same, with the underlying cause. */
    public CheckpointFormatException(Path file, String entry, String problem, Throwable cause) {
        super(file, entry == null ? problem : entry + ": " + problem, cause);
        this.entry = entry;
    }

    /** The zip entry, dict key or tensor at fault; {@code null} when the problem concerns the whole file. */
    public String entry() {
        return entry;
    }
}
