package org.cogview2.api;

/** The caller cancelled a running generation (or its deadline passed); everything it allocated was freed. */
public class GenerationCancelledException extends CogView2Exception {

    public GenerationCancelledException(String message) {
        super(message);
    }
}
