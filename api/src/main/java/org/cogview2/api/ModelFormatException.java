package org.cogview2.api;

import java.nio.file.Path;

/**
 * A model file (checkpoint, model_config.json, tokenizer model) is malformed, unsafe or does not match what the
 * model needs. The message names the file and, where there is one, the entry or tensor.
 */
public class ModelFormatException extends CogView2Exception {

    private final Path file;

    public ModelFormatException(Path file, String problem) {
        super(file + ": " + problem);
        this.file = file;
    }

    public ModelFormatException(Path file, String problem, Throwable cause) {
        super(file + ": " + problem, cause);
        this.file = file;
    }

    /** The file at fault. */
    public Path file() {
        return file;
    }
}
