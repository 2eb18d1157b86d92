package org.cogview2.training.core;

/**
 * {@link TrainingTask#batch} threw on the loader thread; the task's exception is the cause. The trainer saves
 * its state before passing this on: the failed batch was never used, so the state is consistent.
 */
public final class BatchLoadingException extends TrainingException {

    private static final long serialVersionUID = 1L;

    private final long index;

    public BatchLoadingException(long index, Throwable cause) {
        super("loading batch " + index + " failed: " + cause, cause);
        this.index = index;
    }

    /** Index of the batch that failed. */
    public long index() {
        return index;
    }
}
