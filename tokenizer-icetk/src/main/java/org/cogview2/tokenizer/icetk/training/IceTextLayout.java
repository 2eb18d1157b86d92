package org.cogview2.tokenizer.icetk.training;

import com.google.protobuf.CodedInputStream;
import com.google.protobuf.WireFormat;
import org.cogview2.api.SpecialToken;
import org.cogview2.tokenizer.icetk.text.ModelProto;
import org.cogview2.tokenizer.icetk.text.PieceType;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.List;

/**
 * The piece layout of icetk's {@code ice_text.model}, and the one adjustment spm_train's output needs to have it.
 *
 * <p>icetk's documented ids fix the first pieces: {@code icetk[20000] == '<unk>'}, {@code icetk[20003] == '<pad>'},
 * so ids 0–4 are {@code <unk>} (UNKNOWN), {@code <s>}, {@code </s>}, {@code <pad>} (CONTROL) and {@code <n>}, the
 * line-break piece that {@code encode(..., ignore_linebreak=False)} produces from {@code "\n"}. {@code <n>} must be
 * USER_DEFINED: that type is matched verbatim in raw text, a CONTROL piece could never be produced from text. The
 * ordinary pieces follow ({@code icetk[20006] == ','}: common punctuation right after the five), so spm_train's byte
 * pieces, which it puts right after {@code <n>}, are moved to the end of the vocabulary. Where a BYTE piece sits does
 * not matter to SentencePiece (they are looked up by name), it only keeps the ordinary ids where icetk has them.
 */
final class IceTextLayout {

    /** A piece at a fixed id. */
    record Fixed(String piece, PieceType type) {
    }

    /** Ids 0, 1, 2, 3, 4. */
    static final List<Fixed> PIECES = List.of(
            new Fixed("<unk>", PieceType.UNKNOWN),
            new Fixed("<s>", PieceType.CONTROL),
            new Fixed("</s>", PieceType.CONTROL),
            new Fixed("<pad>", PieceType.CONTROL),
            new Fixed("<n>", PieceType.USER_DEFINED));

    /**
     * SentencePiece's default NFKC rules with {@code \n} and tabs read as spaces: icetk maps full-width {@code ！} to the
     * id of {@code !} and encodes {@code "abc\nhi"} like {@code "abc hi"} (spec 01 §1.7, §1.12).
     */
    static final String NORMALIZATION = "nmt_nfkc";

    private static final int PIECES_FIELD = 1;

    private IceTextLayout() {
    }

    /** Everything that must hold for a model in icetk's layout; the first violation fails, naming the piece. */
    static void check(ModelProto model, boolean byteFallback, String what) {
        List<ModelProto.Piece> pieces = model.pieces();
        if (model.trainer().modelType() != ModelProto.ModelType.UNIGRAM) {
            throw new TokenizerTrainingException(what + " is a " + model.trainer().modelType()
                    + " model; icetk's text model is UNIGRAM");
        }
        if (pieces.size() <= PIECES.size()) {
            throw new TokenizerTrainingException(what + " has only " + pieces.size() + " pieces");
        }
        for (int id = 0; id < PIECES.size(); id++) {
            Fixed want = PIECES.get(id);
            ModelProto.Piece got = pieces.get(id);
            if (!got.piece().equals(want.piece()) || got.type() != want.type()) {
                throw new TokenizerTrainingException(what + ": piece " + id + " is '" + got.piece() + "' (" + got.type()
                        + "), icetk's layout has '" + want.piece() + "' (" + want.type() + ") there");
            }
        }
        int bytePieces = 0;
        for (int id = PIECES.size(); id < pieces.size(); id++) {
            ModelProto.Piece p = pieces.get(id);
            if (p.type() == PieceType.BYTE) {
                bytePieces++;
            } else if (p.type() != PieceType.NORMAL) {
                throw new TokenizerTrainingException(what + ": piece " + id + " ('" + p.piece() + "') is " + p.type()
                        + "; after id " + (PIECES.size() - 1) + " icetk's layout has only NORMAL and BYTE pieces");
            }
            for (SpecialToken t : SpecialToken.values()) {
                if (p.piece().equals(t.piece())) {
                    throw new TokenizerTrainingException(what + ": piece " + id + " is '" + t.piece() + "', which icetk"
                            + " appends at load; a learned copy would make loading fail as a duplicate");
                }
            }
        }
        if (model.trainer().byteFallback() != byteFallback || bytePieces != (byteFallback ? 256 : 0)) {
            throw new TokenizerTrainingException(what + " has byte_fallback " + model.trainer().byteFallback() + " and "
                    + bytePieces + " byte pieces; wanted byte_fallback " + byteFallback);
        }
        ModelProto.Normalization n = model.normalizer();
        if (!NORMALIZATION.equals(n.name()) || n.charsmap().length == 0 || !n.addDummyPrefix()
                || !n.removeExtraWhitespaces() || !n.escapeWhitespaces() || model.trainer().treatWhitespaceAsSuffix()) {
            throw new TokenizerTrainingException(what + " has normalizer '" + n.name() + "' (charsmap " + n.charsmap().length
                    + " bytes, add_dummy_prefix " + n.addDummyPrefix() + ", remove_extra_whitespaces "
                    + n.removeExtraWhitespaces() + ", escape_whitespaces " + n.escapeWhitespaces()
                    + ", treat_whitespace_as_suffix " + model.trainer().treatWhitespaceAsSuffix() + "); icetk's is "
                    + NORMALIZATION + " with a charsmap and the whitespace defaults");
        }
    }

    /** True when every BYTE piece already comes after every other piece. */
    static boolean bytePiecesLast(ModelProto model) {
        boolean seenByte = false;
        for (ModelProto.Piece p : model.pieces()) {
            if (p.type() == PieceType.BYTE) {
                seenByte = true;
            } else if (seenByte) {
                return false;
            }
        }
        return true;
    }

    /**
     * The serialized model with its BYTE pieces moved behind the others, both groups in their order. Works on the wire
     * bytes: every other field (the whole training record, the normalizer with its charsmap, fields of newer
     * SentencePiece versions) is copied as spm_train wrote it. {@code model} is {@code spmBytes} parsed.
     */
    static byte[] moveBytePiecesLast(byte[] spmBytes, ModelProto model) {
        try {
            CodedInputStream in = CodedInputStream.newInstance(spmBytes);
            ByteArrayOutputStream ordinary = new ByteArrayOutputStream(spmBytes.length);
            ByteArrayOutputStream bytes = new ByteArrayOutputStream();
            List<byte[]> others = new ArrayList<>();
            int piece = 0;
            while (true) {
                int start = in.getTotalBytesRead();
                int tag = in.readTag();
                if (tag == 0) {
                    break;
                }
                in.skipField(tag);
                int end = in.getTotalBytesRead();
                boolean isPiece = WireFormat.getTagFieldNumber(tag) == PIECES_FIELD;
                ByteArrayOutputStream to = !isPiece ? null
                        : model.pieces().get(piece++).type() == PieceType.BYTE ? bytes : ordinary;
                if (to != null) {
                    to.write(spmBytes, start, end - start);
                } else {
                    byte[] field = new byte[end - start];
                    System.arraycopy(spmBytes, start, field, 0, field.length);
                    others.add(field);
                }
            }
            if (piece != model.pieces().size()) {
                throw new IllegalStateException("read " + piece + " pieces, the parsed model has " + model.pieces().size());
            }
            ordinary.write(bytes.toByteArray());
            for (byte[] field : others) {
                ordinary.write(field);
            }
            return ordinary.toByteArray();
        } catch (IOException e) {
            // The bytes were parsed successfully just before; reading them again cannot fail.
            throw new UncheckedIOException(e);
        }
    }
}
