package org.cogview2.checkpoint;

import java.nio.file.Path;

/**
 * The pickle of a checkpoint ({@code data.pkl}) is malformed: an invalid or unsupported opcode, a stack or memo
 * misuse, a truncated stream, an argument of the wrong type for an allowed global, an unhashable dict key, a
 * reference cycle. The message gives the byte offset in the pickle. Nothing from the pickle was executed.
 */
public class PickleFormatException extends CheckpointFormatException {

    /** @see CheckpointFormatException#CheckpointFormatException(Path, String, String) */
    public PickleFormatException(Path file, String entry, String problem) {
        super(file, entry, problem);
    }

    /** Same, with the underlying cause. */
    public PickleFormatException(Path file, String entry, String problem, Throwable cause) {
        super(file, entry, problem, cause);
    }
}
