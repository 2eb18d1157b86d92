package org.cogview2.tokenizer.icetk;

import org.cogview2.api.InvalidInputException;
import org.cogview2.api.ModelFormatException;
import org.cogview2.api.SpecialToken;
import org.cogview2.api.Tokenizer;
import org.cogview2.tokenizer.icetk.text.ModelProto;
import org.cogview2.tokenizer.icetk.text.PieceType;
import org.cogview2.tokenizer.icetk.text.SentencePieceProcessor;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * The text half of icetk as CogView2 uses it (spec 01 §1.1–§1.4): {@code ice_text.model} with the three special
 * pieces {@code <start_of_image>}, {@code <start_of_english>}, {@code <start_of_chinese>} appended (type NORMAL,
 * score 0, in that order), and ICE ids = SentencePiece ids + 20000. Thread-safe.
 */
public final class IceTextTokenizer {

    /** Refuse model files above this size before reading them (the released model is about 2.7 MB). */
    static final long MAX_MODEL_BYTES = 256L << 20;

    private final SentencePieceProcessor sp;

    private IceTextTokenizer(SentencePieceProcessor sp) {
        this.sp = sp;
    }

    /** Loads {@code ice_text.model} and appends CogView2's special tokens. */
    public static IceTextTokenizer load(Path file) {
        byte[] bytes;
        try {
            long size = Files.size(file);
            if (size > MAX_MODEL_BYTES) {
                throw new ModelFormatException(file, "is " + size + " bytes; a SentencePiece model over " + MAX_MODEL_BYTES + " bytes is refused");
            }
            bytes = Files.readAllBytes(file);
        } catch (IOException e) {
            throw new ModelFormatException(file, "cannot read the text tokenizer model: " + e.getMessage(), e);
        }
        return of(file, ModelProto.parse(file, bytes));
    }

    /** A tokenizer from a parsed model (special tokens appended here). */
    public static IceTextTokenizer of(Path file, ModelProto proto) {
        List<ModelProto.Piece> special = new ArrayList<>();
        for (SpecialToken t : SpecialToken.values()) {
            special.add(new ModelProto.Piece(t.piece(), 0f, PieceType.NORMAL));
        }
        return new IceTextTokenizer(SentencePieceProcessor.load(file, proto.withPieces(special)));
    }

    public SentencePieceProcessor processor() {
        return sp;
    }

    /** {@code icetk.encode(text)}. */
    public int[] encode(String text) {
        return encode(text, false);
    }

    /** {@code icetk.encode(text, ignore_linebreak=!linebreaksAsTokens)}: with the flag, {@code \n} becomes {@code <n>} first. */
    public int[] encode(String text, boolean linebreaksAsTokens) {
        String input = linebreaksAsTokens ? text.replace("\n", "<n>") : text;
        int[] ids = sp.encodeAsIds(input);
        for (int i = 0; i < ids.length; i++) {
            ids[i] += Tokenizer.IMAGE_TOKENS;
        }
        return ids;
    }

    /** {@code icetk.tokenize(text)}: the pieces. */
    public List<String> tokenize(String text) {
        return sp.encodeAsPieces(text);
    }

    /** {@code icetk.decode(text_ids=ids)}: ICE text ids to text; {@code <n>} becomes a line break. */
    public String decode(int[] textIds) {
        int[] ids = new int[textIds.length];
        for (int i = 0; i < ids.length; i++) {
            if (textIds[i] < Tokenizer.IMAGE_TOKENS) {
                throw new InvalidInputException("id " + textIds[i] + " at position " + i + " is an image token, not text");
            }
            ids[i] = textIds[i] - Tokenizer.IMAGE_TOKENS;
        }
        return sp.decode(ids).replace("<n>", "\n");
    }

    /**
     * {@code icetk[piece]}: {@code <image_N>} (N decimal digits) is image token N; anything else is
     * {@code PieceToId + 20000} (the {@code <unk>} id for unknown strings).
     */
    public int tokenId(String piece) {
        if (piece.startsWith("<image_") && piece.endsWith(">") && piece.length() > 8) {
            String digits = piece.substring(7, piece.length() - 1);
            // Python's str.isdigit accepts every Unicode decimal digit, and int() reads them.
            if (digits.codePoints().allMatch(Character::isDigit)) {
                long value = 0;
                for (int cp : digits.codePoints().toArray()) {
                    value = value * 10 + Character.digit(cp, 10);
                    if (value > Integer.MAX_VALUE) {
                        throw new InvalidInputException("image token name '" + piece + "' is out of range");
                    }
                }
                return (int) value;
            }
        }
        return sp.pieceToId(piece) + Tokenizer.IMAGE_TOKENS;
    }

    /** {@code icetk[id]}: {@code <image_N>} for image ids, else the piece. */
    public String tokenName(int id) {
        if (id < 0) {
            throw new InvalidInputException("token id " + id + " is negative");
        }
        return id < Tokenizer.IMAGE_TOKENS ? "<image_" + id + ">" : sp.idToPiece(id - Tokenizer.IMAGE_TOKENS);
    }

    public int specialTokenId(SpecialToken token) {
        return sp.pieceToId(token.piece()) + Tokenizer.IMAGE_TOKENS;
    }

    /** Text pieces including the special tokens. */
    public int textPieceCount() {
        return sp.pieceCount();
    }

    /** 20000 image tokens + text pieces. */
    public int vocabularySize() {
        return Tokenizer.IMAGE_TOKENS + sp.pieceCount();
    }
}
