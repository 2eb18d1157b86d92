package org.cogview2.api;

/**
 * The compute backend a pipeline was asked to open on cannot be used: no backend of that name was found, it cannot
 * run on this machine (no GPU, no native library), or it lacks a capability the model set needs. The message names
 * the backend and says why; the cause is the backend layer's own error.
 */
public class BackendUnavailableException extends CogView2Exception {

    public BackendUnavailableException(String message, Throwable cause) {
        super(message, cause);
    }
}
