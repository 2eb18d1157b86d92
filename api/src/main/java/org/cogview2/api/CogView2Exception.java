package org.cogview2.api;

/** Base of every error the SDK reports. Messages are one sentence saying what is wrong and what to fix. */
public class CogView2Exception extends RuntimeException {

    public CogView2Exception(String message) {
        super(message);
    }

    public CogView2Exception(String message, Throwable cause) {
        super(message, cause);
    }
}
