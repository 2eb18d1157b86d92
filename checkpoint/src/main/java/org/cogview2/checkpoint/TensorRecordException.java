package org.cogview2.checkpoint;

import java.nio.file.Path;

/**
 * A tensor or storage record of a checkpoint is inconsistent: an unknown storage type (dtype), a storage record
 * whose size does not match its element count, a storage key used with two types or sizes, a shape with
 * negative or overflowing dimensions, a view that reaches past its storage, a bad stride or offset.
 */
public class TensorRecordException extends CheckpointFormatException {

    /** @see CheckpointFormatException#CheckpointFormatException(Path, String, String) */
    public TensorRecordException(Path file, String entry, String problem) {
        super(file, entry, problem);
    }
}
