package org.cogview2.api;

/** A run would not fit in the memory available; reported before allocating, with the numbers. */
public class InsufficientMemoryException extends CogView2Exception {

    public InsufficientMemoryException(String message) {
        super(message);
    }
}
