package org.cogview2.api;

/** A prompt, image, option or id sequence given by the caller cannot be used; nothing was computed. */
public class InvalidInputException extends CogView2Exception {

    public InvalidInputException(String message) {
        super(message);
    }

    public InvalidInputException(String message, Throwable cause) {
        super(message, cause);
    }
}
