package org.cogview2.tokenizer.icetk.text;

import com.google.protobuf.ByteString;
import com.google.protobuf.CodedOutputStream;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;

/**
 * Serialises a {@link ModelProto} in SentencePiece's wire format (the fields {@link ModelProto} reads). Used to make
 * small models: the built-in demo tokenizer and test fixtures.
 */
public final class ModelProtoWriter {

    private ModelProtoWriter() {
    }

    public static byte[] write(ModelProto proto) {
        try {
            ByteArrayOutputStream bytes = new ByteArrayOutputStream();
            CodedOutputStream out = CodedOutputStream.newInstance(bytes);
            for (ModelProto.Piece p : proto.pieces()) {
                out.writeBytes(1, message(m -> {
                    m.writeString(1, p.piece());
                    m.writeFloat(2, p.score());
                    m.writeEnum(3, p.type().number());
                }));
            }
            ModelProto.Trainer t = proto.trainer();
            out.writeBytes(2, message(m -> {
                m.writeEnum(3, t.modelType().ordinal() + 1);
                m.writeBool(24, t.treatWhitespaceAsSuffix());
                m.writeBool(35, t.byteFallback());
                m.writeString(44, t.unkSurface());
            }));
            out.writeBytes(3, normalization(proto.normalizer()));
            if (proto.denormalizer() != null) {
                out.writeBytes(5, normalization(proto.denormalizer()));
            }
            out.flush();
            return bytes.toByteArray();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static ByteString normalization(ModelProto.Normalization n) throws IOException {
        return message(m -> {
            m.writeString(1, n.name());
            m.writeBytes(2, ByteString.copyFrom(n.charsmap()));
            m.writeBool(3, n.addDummyPrefix());
            m.writeBool(4, n.removeExtraWhitespaces());
            m.writeBool(5, n.escapeWhitespaces());
        });
    }

    private interface Body {
        void write(CodedOutputStream out) throws IOException;
    }

    private static ByteString message(Body body) throws IOException {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        CodedOutputStream out = CodedOutputStream.newInstance(bytes);
        body.write(out);
        out.flush();
        return ByteString.copyFrom(bytes.toByteArray());
    }
}
