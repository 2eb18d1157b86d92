package org.cogview2.tokenizer.icetk.text;

import com.google.protobuf.ByteString;
import com.google.protobuf.CodedOutputStream;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;

/** Serialises small SentencePiece {@code ModelProto}s for tests, field by field. */
final class TinyModels {

    private final ByteArrayOutputStream pieces = new ByteArrayOutputStream();
    private int modelType = 1;
    private boolean byteFallback;
    private boolean addDummyPrefix = true;

    TinyModels piece(String piece, float score, int type) {
        try {
            ByteArrayOutputStream body = new ByteArrayOutputStream();
            CodedOutputStream b = CodedOutputStream.newInstance(body);
            b.writeString(1, piece);
            b.writeFloat(2, score);
            b.writeEnum(3, type);
            b.flush();
            CodedOutputStream out = CodedOutputStream.newInstance(pieces);
            out.writeBytes(1, ByteString.copyFrom(body.toByteArray()));
            out.flush();
            return this;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    TinyModels bpe() {
        modelType = 2;
        return this;
    }

    TinyModels byteFallback() {
        byteFallback = true;
        for (int b = 0; b < 256; b++) {
            piece(String.format("<0x%02X>", b), 0f, 6);
        }
        return this;
    }

    TinyModels noDummyPrefix() {
        addDummyPrefix = false;
        return this;
    }

    byte[] bytes() {
        try {
            ByteArrayOutputStream all = new ByteArrayOutputStream();
            all.write(pieces.toByteArray());
            CodedOutputStream out = CodedOutputStream.newInstance(all);
            ByteArrayOutputStream trainer = new ByteArrayOutputStream();
            CodedOutputStream t = CodedOutputStream.newInstance(trainer);
            t.writeEnum(3, modelType);
            t.writeBool(35, byteFallback);
            t.writeUInt32(999, 7); // a field this reader does not know: skipped
            t.flush();
            out.writeBytes(2, ByteString.copyFrom(trainer.toByteArray()));
            ByteArrayOutputStream normalizer = new ByteArrayOutputStream();
            CodedOutputStream n = CodedOutputStream.newInstance(normalizer);
            n.writeString(1, "identity");
            n.writeBool(3, addDummyPrefix);
            n.flush();
            out.writeBytes(3, ByteString.copyFrom(normalizer.toByteArray()));
            out.flush();
            return all.toByteArray();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** {@code <unk> <s> </s>}, then {@code ▁}, a, b, c, ab, abc as normal pieces. */
    static TinyModels basic() {
        return new TinyModels()
                .piece("<unk>", 0f, 2).piece("<s>", 0f, 3).piece("</s>", 0f, 3)
                .piece("\u2581", -1f, 1).piece("a", -2f, 1).piece("b", -2f, 1).piece("c", -2f, 1)
                .piece("ab", -1.5f, 1).piece("abc", -1f, 1);
    }
}
