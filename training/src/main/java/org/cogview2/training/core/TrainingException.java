package org.cogview2.training.core;

/**
 * A training run cannot go on: nothing to resume, a state made for another task or shape, a batch that failed
 * to load (the cause is the task's exception), a loss or gradient that is no longer finite.
 */
public class TrainingException extends RuntimeException {

    private static final long serialVersionUID = 1L;

    public TrainingException(String message) {
        super(message);
    }

    public TrainingException(String message, Throwable cause) {
        super(message, cause);
    }
}
