package org.cogview2.checkpoint;

import java.nio.file.Path;

/**
 * A SAT model folder's {@code model_config.json} or {@code latest} file is unusable: not UTF-8, not JSON, not an
 * object, duplicate keys, a value of the wrong type, a missing required value, or a value outside the sane range.
 */
public class ModelConfigException extends CheckpointFormatException {

    /** @see CheckpointFormatException#CheckpointFormatException(Path, String, String) */
    public ModelConfigException(Path file, String key, String problem) {
        super(file, key, problem);
    }

    /** Same, with the underlying cause. */
    public ModelConfigException(Path file, String key, String problem, Throwable cause) {
        super(file, key, problem, cause);
    }
}
