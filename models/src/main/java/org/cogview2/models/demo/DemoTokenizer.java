package org.cogview2.models.demo;

import org.cogview2.api.Style;
import org.cogview2.tokenizer.icetk.text.ModelProto;
import org.cogview2.tokenizer.icetk.text.PieceType;

import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;

/**
 * The demo text tokenizer: a small unigram SentencePiece model with the special pieces of icetk's first ids
 * ({@code <unk> <s> </s> <pad> <n>}), printable ASCII, frequent English words, the characters of the style templates
 * and byte fallback, so that any prompt encodes and {@code <start_of_image>} is found as one piece.
 */
final class DemoTokenizer {

    private static final String SPACE = "\u2581";
    private static final String[] WORDS = {"a", "an", "the", "of", "in", "on", "with", "and", "at", "tiger", "cat", "dog",
            "wearing", "glasses", "photo", "picture", "painting", "city", "night", "mountain", "river", "red", "blue",
            "green", "big", "small", "house", "tree", "flower", "sky", "sea", "man", "woman", "girl", "boy", "car"};

    private DemoTokenizer() {
    }

    static ModelProto model() {
        List<ModelProto.Piece> pieces = new ArrayList<>();
        pieces.add(new ModelProto.Piece("<unk>", 0f, PieceType.UNKNOWN));
        pieces.add(new ModelProto.Piece("<s>", 0f, PieceType.CONTROL));
        pieces.add(new ModelProto.Piece("</s>", 0f, PieceType.CONTROL));
        pieces.add(new ModelProto.Piece("<pad>", 0f, PieceType.CONTROL));
        pieces.add(new ModelProto.Piece("<n>", 0f, PieceType.USER_DEFINED));
        Set<String> seen = new LinkedHashSet<>();
        seen.add(SPACE);
        for (String w : WORDS) {
            seen.add(SPACE + w);
        }
        for (char c = 33; c < 127; c++) {
            seen.add(String.valueOf(c));
            seen.add(SPACE + c);
        }
        for (Style style : Style.values()) {
            style.template().replace("{}", "").replace("<start_of_image>", "").codePoints()
                    .filter(cp -> cp > 127).forEach(cp -> seen.add(Character.toString(cp)));
        }
        for (String piece : seen) {
            // Longer pieces score higher (per piece), like a trained unigram model.
            float score = -8f + Math.min(6, piece.codePointCount(0, piece.length()));
            pieces.add(new ModelProto.Piece(piece, score, PieceType.NORMAL));
        }
        for (int b = 0; b < 256; b++) {
            pieces.add(new ModelProto.Piece(String.format("<0x%02X>", b), 0f, PieceType.BYTE));
        }
        ModelProto.Trainer trainer = new ModelProto.Trainer(ModelProto.ModelType.UNIGRAM, false, true, " \u2047 ");
        ModelProto.Normalization normalizer = new ModelProto.Normalization("identity", new byte[0], true, true, true);
        return new ModelProto(List.copyOf(pieces), trainer, normalizer, List.of(), null);
    }
}
