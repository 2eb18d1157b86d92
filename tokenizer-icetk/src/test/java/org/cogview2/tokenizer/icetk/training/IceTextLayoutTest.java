package org.cogview2.tokenizer.icetk.training;

import com.google.protobuf.CodedOutputStream;
import org.cogview2.checkpoint.testing.SharedTestData;
import org.cogview2.tokenizer.icetk.text.ModelProto;
import org.cogview2.tokenizer.icetk.text.ModelProtoWriter;
import org.cogview2.tokenizer.icetk.text.PieceType;
import org.junit.jupiter.api.Test;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The layout check and the byte-piece move, on hand-made models (no spm_train needed). */
class IceTextLayoutTest {

    private static final Path FILE = Path.of("ice_text.model");

    /** A charsmap blob with a one-unit trie that matches nothing: identity, but a charsmap as nmt_nfkc has one. */
    static byte[] identityCharsmap() {
        return new byte[]{4, 0, 0, 0, 0, 0, 0, 0, 0};
    }

    @Test
    void byte_pieces_move_behind_the_learned_ones_and_every_other_field_is_kept() throws IOException {
        ModelProto spm = TrainerFailureTest.model(PieceType.USER_DEFINED);
        // A field this reader does not know (as newer SentencePiece versions add), after the normalizer.
        ByteArrayOutputStream extra = new ByteArrayOutputStream();
        CodedOutputStream out = CodedOutputStream.newInstance(extra);
        out.writeString(7, "kept as it is");
        out.flush();
        byte[] spmBytes = concat(ModelProtoWriter.write(spm), extra.toByteArray());
        ModelProto parsed = ModelProto.parse(FILE, spmBytes);
        assertFalse(IceTextLayout.bytePiecesLast(parsed));

        byte[] moved = IceTextLayout.moveBytePiecesLast(spmBytes, parsed);
        ModelProto m = ModelProto.parse(FILE, moved);
        assertTrue(IceTextLayout.bytePiecesLast(m));
        IceTextLayout.check(m, true, "moved");
        assertEquals(spmBytes.length, moved.length);
        List<ModelProto.Piece> want = new ArrayList<>(spm.pieces().subList(0, 5));
        want.addAll(spm.pieces().subList(5 + 256, spm.pieces().size()));
        want.addAll(spm.pieces().subList(5, 5 + 256));
        assertEquals(want, m.pieces());
        assertEquals(spm.trainer(), m.trainer());
        assertArrayEquals(spm.normalizer().charsmap(), m.normalizer().charsmap());
        byte[] tail = new byte[extra.size()];
        System.arraycopy(moved, moved.length - tail.length, tail, 0, tail.length);
        assertArrayEquals(extra.toByteArray(), tail, "the unknown field is copied byte for byte");
    }

    @Test
    void the_golden_icetk_model_is_in_the_layout_without_byte_fallback() throws IOException {
        // The golden stand-in for the release was trained by spm_train with the same special-piece flags.
        Path golden = SharedTestData.model("icetk/ice_text.model");
        ModelProto m = ModelProto.parse(golden, Files.readAllBytes(golden));
        IceTextLayout.check(m, false, golden.toString());
        assertTrue(IceTextLayout.bytePiecesLast(m));
    }

    @Test
    void a_learned_special_token_is_refused() {
        ModelProto m = with(TrainerFailureTest.model(PieceType.USER_DEFINED), new ModelProto.Piece("<start_of_image>", -3, PieceType.NORMAL));
        TokenizerTrainingException e = assertThrows(TokenizerTrainingException.class, () -> IceTextLayout.check(m, true, "m"));
        assertTrue(e.getMessage().contains("'<start_of_image>', which icetk appends at load"), e.getMessage());
    }

    @Test
    void extra_control_pieces_and_a_wrong_byte_fallback_are_refused() {
        ModelProto base = TrainerFailureTest.model(PieceType.USER_DEFINED);
        ModelProto control = with(base, new ModelProto.Piece("<mask>", 0, PieceType.CONTROL));
        assertTrue(assertThrows(TokenizerTrainingException.class, () -> IceTextLayout.check(control, true, "m"))
                .getMessage().contains("('<mask>') is CONTROL"));
        assertTrue(assertThrows(TokenizerTrainingException.class, () -> IceTextLayout.check(base, false, "m"))
                .getMessage().contains("wanted byte_fallback false"));
    }

    @Test
    void another_normalizer_or_model_type_is_refused() {
        ModelProto base = TrainerFailureTest.model(PieceType.USER_DEFINED);
        ModelProto identity = new ModelProto(base.pieces(), base.trainer(),
                new ModelProto.Normalization("identity", new byte[0], true, true, true), List.of(), null);
        assertTrue(assertThrows(TokenizerTrainingException.class, () -> IceTextLayout.check(identity, true, "m"))
                .getMessage().contains("normalizer 'identity'"));
        ModelProto bpe = new ModelProto(base.pieces(), new ModelProto.Trainer(ModelProto.ModelType.BPE, false, true, " \u2047 "),
                base.normalizer(), List.of(), null);
        assertTrue(assertThrows(TokenizerTrainingException.class, () -> IceTextLayout.check(bpe, true, "m"))
                .getMessage().contains("is a BPE model"));
    }

    private static ModelProto with(ModelProto m, ModelProto.Piece extra) {
        return m.withPieces(List.of(extra));
    }

    private static byte[] concat(byte[] a, byte[] b) {
        byte[] out = new byte[a.length + b.length];
        System.arraycopy(a, 0, out, 0, a.length);
        System.arraycopy(b, 0, out, a.length, b.length);
        return out;
    }
}
