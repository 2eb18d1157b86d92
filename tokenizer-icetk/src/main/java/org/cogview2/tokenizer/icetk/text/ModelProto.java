package org.cogview2.tokenizer.icetk.text;

import com.google.protobuf.CodedInputStream;
import com.google.protobuf.InvalidProtocolBufferException;
import com.google.protobuf.WireFormat;
import org.cogview2.api.ModelFormatException;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * The parts of SentencePiece's {@code ModelProto} (proto2, {@code sentencepiece_model.proto}) that encoding and
 * decoding use (spec 01 §1.5), read with protobuf-java's {@link CodedInputStream}. Field numbers:
 * <pre>
 * ModelProto      { repeated SentencePiece pieces = 1; TrainerSpec trainer_spec = 2; NormalizerSpec normalizer_spec = 3;
 *                   SelfTestData self_test_data = 4; NormalizerSpec denormalizer_spec = 5; }
 * SentencePiece   { string piece = 1; float score = 2; Type type = 3 [default = NORMAL]; }
 * TrainerSpec     { ModelType model_type = 3 [default = UNIGRAM]; bool treat_whitespace_as_suffix = 24;
 *                   bool byte_fallback = 35; string unk_surface = 44 [default = " \u2047 "]; }
 * NormalizerSpec  { string name = 1; bytes precompiled_charsmap = 2; bool add_dummy_prefix = 3 [default = true];
 *                   bool remove_extra_whitespaces = 4 [default = true]; bool escape_whitespaces = 5 [default = true]; }
 * SelfTestData    { repeated Sample samples = 1; }   Sample { string input = 1; string expected = 2; }
 * </pre>
 * Other fields (training options, fields of newer versions) are skipped by wire type, as the C++ loader ignores them.
 */
public record ModelProto(List<Piece> pieces, Trainer trainer, Normalization normalizer, List<Sample> selfTest,
                         Normalization denormalizer) {

    public record Piece(String piece, float score, PieceType type) {
    }

    /** Model types of {@code TrainerSpec.ModelType}. */
    public enum ModelType { UNIGRAM, BPE, WORD, CHAR }

    public record Trainer(ModelType modelType, boolean treatWhitespaceAsSuffix, boolean byteFallback, String unkSurface) {
        public static final Trainer DEFAULT = new Trainer(ModelType.UNIGRAM, false, false, " \u2047 ");
    }

    public record Normalization(String name, byte[] charsmap, boolean addDummyPrefix, boolean removeExtraWhitespaces,
                                boolean escapeWhitespaces) {
        public static final Normalization DEFAULT = new Normalization("", new byte[0], true, true, true);
    }

    public record Sample(String input, String expected) {
    }

    /** The proto with {@code extra} appended to the pieces (icetk's {@code add_special_tokens}). */
    public ModelProto withPieces(List<Piece> extra) {
        List<Piece> all = new ArrayList<>(pieces);
        all.addAll(extra);
        return new ModelProto(List.copyOf(all), trainer, normalizer, selfTest, denormalizer);
    }

    /** Parses a serialized {@code ModelProto}; anything malformed fails with the file named. */
    public static ModelProto parse(Path file, byte[] bytes) {
        try {
            CodedInputStream in = CodedInputStream.newInstance(bytes);
            List<Piece> pieces = new ArrayList<>();
            Trainer trainer = Trainer.DEFAULT;
            Normalization normalizer = Normalization.DEFAULT;
            Normalization denormalizer = null;
            List<Sample> samples = new ArrayList<>();
            for (int tag = in.readTag(); tag != 0; tag = in.readTag()) {
                switch (WireFormat.getTagFieldNumber(tag)) {
                    case 1 -> pieces.add(piece(file, in.readBytes().newCodedInput(), pieces.size()));
                    case 2 -> trainer = trainer(file, in.readBytes().newCodedInput());
                    case 3 -> normalizer = normalization(in.readBytes().newCodedInput());
                    case 4 -> samples.addAll(selfTest(in.readBytes().newCodedInput()));
                    case 5 -> denormalizer = normalization(in.readBytes().newCodedInput());
                    default -> skip(in, tag);
                }
            }
            return new ModelProto(List.copyOf(pieces), trainer, normalizer, List.copyOf(samples), denormalizer);
        } catch (InvalidProtocolBufferException e) {
            throw new ModelFormatException(file, "not a valid SentencePiece model (corrupt or truncated protobuf: " + e.getMessage() + ")", e);
        } catch (IOException e) {
            throw new ModelFormatException(file, "cannot read the SentencePiece model: " + e.getMessage(), e);
        }
    }

    private static void skip(CodedInputStream in, int tag) throws IOException {
        if (!in.skipField(tag)) {
            throw new InvalidProtocolBufferException("unexpected end-group tag " + tag);
        }
    }

    private static Piece piece(Path file, CodedInputStream in, int index) throws IOException {
        String piece = "";
        float score = 0f;
        int type = PieceType.NORMAL.number();
        for (int tag = in.readTag(); tag != 0; tag = in.readTag()) {
            switch (WireFormat.getTagFieldNumber(tag)) {
                case 1 -> piece = in.readStringRequireUtf8();
                case 2 -> score = in.readFloat();
                case 3 -> type = in.readEnum();
                default -> skip(in, tag);
            }
        }
        PieceType t = PieceType.of(type);
        if (t == null) {
            throw new ModelFormatException(file, "piece " + index + " ('" + piece + "') has unknown type " + type);
        }
        return new Piece(piece, score, t);
    }

    private static Trainer trainer(Path file, CodedInputStream in) throws IOException {
        int modelType = 1;
        boolean suffix = false;
        boolean byteFallback = false;
        String unkSurface = Trainer.DEFAULT.unkSurface();
        for (int tag = in.readTag(); tag != 0; tag = in.readTag()) {
            switch (WireFormat.getTagFieldNumber(tag)) {
                case 3 -> modelType = in.readEnum();
                case 24 -> suffix = in.readBool();
                case 35 -> byteFallback = in.readBool();
                case 44 -> unkSurface = in.readStringRequireUtf8();
                default -> skip(in, tag);
            }
        }
        ModelType type = switch (modelType) {
            case 1 -> ModelType.UNIGRAM;
            case 2 -> ModelType.BPE;
            case 3 -> ModelType.WORD;
            case 4 -> ModelType.CHAR;
            default -> throw new ModelFormatException(file, "unknown SentencePiece model type " + modelType);
        };
        return new Trainer(type, suffix, byteFallback, unkSurface);
    }

    private static Normalization normalization(CodedInputStream in) throws IOException {
        String name = "";
        byte[] charsmap = new byte[0];
        boolean dummy = true;
        boolean remove = true;
        boolean escape = true;
        for (int tag = in.readTag(); tag != 0; tag = in.readTag()) {
            switch (WireFormat.getTagFieldNumber(tag)) {
                case 1 -> name = in.readStringRequireUtf8();
                case 2 -> charsmap = in.readByteArray();
                case 3 -> dummy = in.readBool();
                case 4 -> remove = in.readBool();
                case 5 -> escape = in.readBool();
                default -> skip(in, tag);
            }
        }
        return new Normalization(name, charsmap, dummy, remove, escape);
    }

    private static List<Sample> selfTest(CodedInputStream in) throws IOException {
        List<Sample> samples = new ArrayList<>();
        for (int tag = in.readTag(); tag != 0; tag = in.readTag()) {
            if (WireFormat.getTagFieldNumber(tag) == 1) {
                CodedInputStream s = in.readBytes().newCodedInput();
                String input = "";
                String expected = "";
                for (int t = s.readTag(); t != 0; t = s.readTag()) {
                    switch (WireFormat.getTagFieldNumber(t)) {
                        case 1 -> input = s.readStringRequireUtf8();
                        case 2 -> expected = s.readStringRequireUtf8();
                        default -> skip(s, t);
                    }
                }
                samples.add(new Sample(input, expected));
            } else {
                skip(in, tag);
            }
        }
        return samples;
    }
}
