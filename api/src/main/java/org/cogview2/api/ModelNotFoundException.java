package org.cogview2.api;

/** Model files are missing. The message lists what is missing and every place that was looked at. */
public class ModelNotFoundException extends CogView2Exception {

    public ModelNotFoundException(String message) {
        super(message);
    }
}
