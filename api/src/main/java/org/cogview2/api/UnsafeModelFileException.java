package org.cogview2.api;

import java.nio.file.Path;

/**
 * A model file asks for something that is not plain data, such as a Python global outside the allow-list of
 * a weights-only load. Nothing from the file was executed.
 */
public class UnsafeModelFileException extends ModelFormatException {

    public UnsafeModelFileException(Path file, String problem) {
        super(file, problem);
    }
}
