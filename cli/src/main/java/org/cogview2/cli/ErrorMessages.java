package org.cogview2.cli;

/** Turns an exception into the one sentence a user sees. */
final class ErrorMessages {

    private ErrorMessages() {
    }

    static String describe(Throwable e) {
        Throwable t = e;
        while (t.getMessage() == null && t.getCause() != null) {
            t = t.getCause();
        }
        String message = t.getMessage();
        return message == null ? t.getClass().getSimpleName() : message;
    }
}
