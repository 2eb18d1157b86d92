package org.cogview2.checkpoint;

import java.nio.file.Path;

/**
 * A checkpoint exceeds one of the bounds this reader enforces so that hostile input fails fast instead of
 * exhausting memory or time (see {@link TorchCheckpoint} for the list): pickle size, opcode count, memo size,
 * nesting depth, string length, tensor rank, bytes copied for non-contiguous views.
 */
public class CheckpointLimitException extends CheckpointFormatException {

    /** The exceeded bound. */
    private final String limit;

    /**
     * @param file    the file at fault
     * @param entry   the entry at fault, or {@code null}
     * @param limit   the name of the exceeded bound
     * @param problem what was found and what the bound is
     */
    public CheckpointLimitException(Path file, String entry, String limit, String problem) {
        super(file, entry, problem);
        this.limit = limit;
    }

    /** The name of the exceeded bound, e.g. {@code maxNestingDepth}. */
    public String limit() {
        return limit;
    }
}
