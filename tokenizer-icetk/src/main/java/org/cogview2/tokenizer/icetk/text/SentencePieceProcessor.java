package org.cogview2.tokenizer.icetk.text;

import org.cogview2.api.InvalidInputException;
import org.cogview2.api.ModelFormatException;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * SentencePiece (v0.1.96 semantics) for a loaded {@link ModelProto}: {@code EncodeAsIds}, {@code EncodeAsPieces},
 * {@code DecodeIds}, {@code PieceToId}, {@code IdToPiece} (spec 01 §1.6–§1.11). Immutable and thread-safe.
 */
public final class SentencePieceProcessor {

    private static final String SPACE = "\u2581";

    private final Path file;
    private final String[] pieces;
    private final PieceType[] types;
    private final float[] scores;
    private final Map<String, Integer> vocabulary = new HashMap<>();
    private final Map<String, Integer> reserved = new HashMap<>();
    private final int unkId;
    private final ModelProto proto;
    private final Normalizer normalizer;
    private final Normalizer denormalizer;
    private final UnigramSegmenter unigram;
    private final BpeSegmenter bpe;
    private final int[] byteIds = new int[256];

    private SentencePieceProcessor(Path file, ModelProto proto) {
        this.file = file;
        this.proto = proto;
        int n = proto.pieces().size();
        if (n == 0) {
            throw new ModelFormatException(file, "the SentencePiece model has no pieces");
        }
        pieces = new String[n];
        types = new PieceType[n];
        scores = new float[n];
        ByteTrie trie = new ByteTrie();
        ByteTrie userDefined = new ByteTrie();
        int unk = -1;
        for (int i = 0; i < n; i++) {
            ModelProto.Piece p = proto.pieces().get(i);
            if (p.piece().isEmpty()) {
                throw new ModelFormatException(file, "piece " + i + " is empty");
            }
            pieces[i] = p.piece();
            types[i] = p.type();
            scores[i] = p.score();
            boolean inVocabulary = p.type() == PieceType.NORMAL || p.type() == PieceType.USER_DEFINED || p.type() == PieceType.UNUSED;
            Map<String, Integer> map = inVocabulary ? vocabulary : reserved;
            if (map.putIfAbsent(p.piece(), i) != null) {
                throw new ModelFormatException(file, "piece '" + p.piece() + "' is defined twice (ids " + map.get(p.piece()) + " and " + i + ")");
            }
            if (inVocabulary) {
                trie.put(p.piece().getBytes(StandardCharsets.UTF_8), i);
            }
            if (p.type() == PieceType.USER_DEFINED) {
                userDefined.put(p.piece().getBytes(StandardCharsets.UTF_8), i);
            }
            if (p.type() == PieceType.UNKNOWN) {
                if (unk >= 0) {
                    throw new ModelFormatException(file, "more than one UNKNOWN piece (ids " + unk + " and " + i + ")");
                }
                unk = i;
            }
            if (p.type() == PieceType.BYTE && !proto.trainer().byteFallback()) {
                throw new ModelFormatException(file, "byte piece '" + p.piece() + "' (id " + i + ") but byte_fallback is off");
            }
        }
        if (unk < 0) {
            throw new ModelFormatException(file, "the model has no UNKNOWN piece");
        }
        unkId = unk;
        if (proto.trainer().byteFallback()) {
            for (int b = 0; b < 256; b++) {
                Integer id = reserved.get(bytePiece(b));
                if (id == null || types[id] != PieceType.BYTE) {
                    throw new ModelFormatException(file, "byte_fallback is on but byte piece " + bytePiece(b) + " is missing");
                }
                byteIds[b] = id;
            }
        }
        normalizer = new Normalizer(CharsMap.parse(file, proto.normalizer().charsmap()), userDefined,
                proto.normalizer(), proto.trainer().treatWhitespaceAsSuffix());
        ModelProto.Normalization de = proto.denormalizer();
        denormalizer = de != null && de.charsmap().length > 0
                ? new Normalizer(CharsMap.parse(file, de.charsmap()), new ByteTrie(), de, false) : null;
        switch (proto.trainer().modelType()) {
            case UNIGRAM -> {
                unigram = new UnigramSegmenter(trie, types, scores, unkId);
                bpe = null;
            }
            case BPE -> {
                unigram = null;
                bpe = new BpeSegmenter(trie, userDefined, types, scores, unkId, this::pieceToId);
            }
            default -> throw new ModelFormatException(file, "SentencePiece model type " + proto.trainer().modelType()
                    + " is not supported (UNIGRAM and BPE are)");
        }
    }

    /** Loads a model and runs its self-test samples, if it has any. */
    public static SentencePieceProcessor load(Path file, ModelProto proto) {
        SentencePieceProcessor sp = new SentencePieceProcessor(file, proto);
        for (ModelProto.Sample sample : proto.selfTest()) {
            String got = String.join(" ", sp.encodeAsPieces(sample.input()));
            if (!got.equals(sample.expected())) {
                throw new ModelFormatException(file, "self-test failed on '" + sample.input() + "': expected '"
                        + sample.expected() + "', got '" + got + "'");
            }
        }
        return sp;
    }

    public Path file() {
        return file;
    }

    public ModelProto proto() {
        return proto;
    }

    /** Number of pieces. */
    public int pieceCount() {
        return pieces.length;
    }

    /** {@code PieceToId}: reserved pieces first, then the vocabulary; unknown strings give the unknown id. */
    public int pieceToId(String piece) {
        Integer id = reserved.get(piece);
        if (id == null) {
            id = vocabulary.get(piece);
        }
        return id == null ? unkId : id;
    }

    public String idToPiece(int id) {
        checkId(id);
        return pieces[id];
    }

    public int unkId() {
        return unkId;
    }

    public PieceType type(int id) {
        checkId(id);
        return types[id];
    }

    /** {@code EncodeAsIds}. */
    public int[] encodeAsIds(String text) {
        List<Emitted> e = encode(text);
        int[] ids = new int[e.size()];
        for (int i = 0; i < ids.length; i++) {
            ids[i] = e.get(i).id;
        }
        return ids;
    }

    /** {@code EncodeAsPieces}. */
    public List<String> encodeAsPieces(String text) {
        List<Emitted> e = encode(text);
        List<String> out = new ArrayList<>(e.size());
        for (Emitted p : e) {
            out.add(p.piece);
        }
        return out;
    }

    private static final class Emitted {
        String piece;
        final int id;

        Emitted(String piece, int id) {
            this.piece = piece;
            this.id = id;
        }
    }

    /**
     * {@code Normalizer::Normalize}: the text as the segmenter sees it (character map applied, whitespace trimmed
     * and collapsed, spaces as {@code ▁}, the dummy prefix in front). What a lossless encode/decode gives back is
     * this string with {@code ▁} read as a space and the dummy prefix dropped.
     */
    public String normalize(String text) {
        return new String(normalizer.normalize(Normalizer.utf8(text)), StandardCharsets.UTF_8);
    }

    /** Normalise, segment, then {@code PopulateSentencePieceText}: byte fallback and merging of unknown runs. */
    private List<Emitted> encode(String text) {
        byte[] normalized = normalizer.normalize(Normalizer.utf8(text));
        List<Segment> segments = unigram != null ? unigram.segment(normalized) : bpe.segment(normalized);
        List<Emitted> out = new ArrayList<>(segments.size());
        boolean prevUnknown = false;
        for (Segment s : segments) {
            String w = new String(normalized, s.start(), s.end() - s.start(), StandardCharsets.UTF_8);
            boolean unknown = s.id() == unkId;
            if (types[s.id()] == PieceType.CONTROL) {
                out.add(new Emitted(w, s.id()));
            } else if (unknown && proto.trainer().byteFallback()) {
                for (int i = s.start(); i < s.end(); i++) {
                    int b = normalized[i] & 0xFF;
                    out.add(new Emitted(bytePiece(b), byteIds[b]));
                }
            } else if (unknown && prevUnknown) {
                Emitted last = out.getLast();
                last.piece = last.piece + w; // consecutive unknowns become one <unk>
            } else {
                out.add(new Emitted(w, s.id()));
            }
            prevUnknown = unknown;
        }
        return out;
    }

    /** {@code DecodeIds} (v0.1.96 rules). */
    public String decode(int[] ids) {
        StringBuilder text = new StringBuilder();
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        boolean addDummy = proto.normalizer().addDummyPrefix() || proto.normalizer().removeExtraWhitespaces();
        for (int id : ids) {
            checkId(id);
            if (types[id] == PieceType.BYTE) {
                bytes.write(Integer.parseInt(pieces[id].substring(3, 5), 16));
                continue;
            }
            flushBytes(bytes, text);
            String w = pieces[id];
            if (types[id] == PieceType.CONTROL) {
                continue;
            }
            if (types[id] == PieceType.UNKNOWN) {
                text.append(w.equals(pieces[unkId]) ? proto.trainer().unkSurface() : w);
                continue;
            }
            if (text.isEmpty() && addDummy && w.startsWith(SPACE)) {
                w = w.substring(SPACE.length());
            }
            text.append(w.replace(SPACE, " "));
        }
        flushBytes(bytes, text);
        String result = text.toString();
        if (denormalizer != null) {
            result = new String(denormalizer.normalize(Normalizer.utf8(result)), StandardCharsets.UTF_8);
        }
        return result;
    }

    /** Decodes a run of byte pieces: valid UTF-8 characters as they are, every invalid byte as U+FFFD. */
    private static void flushBytes(ByteArrayOutputStream bytes, StringBuilder text) {
        if (bytes.size() == 0) {
            return;
        }
        byte[] b = bytes.toByteArray();
        int i = 0;
        while (i < b.length) {
            int len = Normalizer.validCharLength(b, i, b.length);
            if (len == 0) {
                text.append('\uFFFD');
                i++;
            } else {
                text.append(new String(b, i, len, StandardCharsets.UTF_8));
                i += len;
            }
        }
        bytes.reset();
    }

    private void checkId(int id) {
        if (id < 0 || id >= pieces.length) {
            throw new InvalidInputException("piece id " + id + " is out of range 0.." + (pieces.length - 1));
        }
    }

    static String bytePiece(int b) {
        return String.format(Locale.ROOT, "<0x%02X>", b);
    }
}
