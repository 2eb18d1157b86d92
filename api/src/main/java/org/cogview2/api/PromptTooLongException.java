package org.cogview2.api;

/** The tokenized prompt exceeds what a stage accepts (110 ids for CogLM, 95 text ids for super-resolution). */
public class PromptTooLongException extends InvalidInputException {

    private final int idCount;
    private final int limit;

    public PromptTooLongException(String what, int idCount, int limit) {
        super(what + " is " + idCount + " ids long but at most " + limit + " are allowed; shorten the prompt.");
        this.idCount = idCount;
        this.limit = limit;
    }

    public int idCount() {
        return idCount;
    }

    public int limit() {
        return limit;
    }
}
