package org.cogview2.tokenizer.icetk.text;

/** {@code ModelProto.SentencePiece.Type}: how a piece takes part in segmentation and decoding. */
public enum PieceType {
    NORMAL(1), UNKNOWN(2), CONTROL(3), USER_DEFINED(4), UNUSED(5), BYTE(6);

    private final int number;

    PieceType(int number) {
        this.number = number;
    }

    public int number() {
        return number;
    }

    /** The type of a wire value, or null for a value this version does not know. */
    static PieceType of(int number) {
        for (PieceType t : values()) {
            if (t.number == number) {
                return t;
            }
        }
        return null;
    }
}
