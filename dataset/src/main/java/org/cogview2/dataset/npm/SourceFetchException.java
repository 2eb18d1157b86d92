package org.cogview2.dataset.npm;

/** A source package could not be fetched, or is not the one pinned; the message names the package. */
public final class SourceFetchException extends RuntimeException {

    public SourceFetchException(String message) {
        super(message);
    }

    public SourceFetchException(String message, Throwable cause) {
        super(message, cause);
    }
}
