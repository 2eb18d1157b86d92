package org.cogview2.api;

/** The three tokens CogView2 appends to the ICE text vocabulary, in the order they are appended. */
public enum SpecialToken {
    START_OF_IMAGE("<start_of_image>"),
    START_OF_ENGLISH("<start_of_english>"),
    START_OF_CHINESE("<start_of_chinese>");

    private final String piece;

    SpecialToken(String piece) {
        this.piece = piece;
    }

    /** The piece string, e.g. {@code <start_of_image>}. */
    public String piece() {
        return piece;
    }
}
