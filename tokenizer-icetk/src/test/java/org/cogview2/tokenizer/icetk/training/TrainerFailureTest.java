package org.cogview2.tokenizer.icetk.training;

import org.cogview2.api.InvalidInputException;
import org.cogview2.tokenizer.icetk.text.ModelProto;
import org.cogview2.tokenizer.icetk.text.ModelProtoWriter;
import org.cogview2.tokenizer.icetk.text.PieceType;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * What goes wrong around spm_train is reported clearly. Stand-in trainers (shell scripts that behave like a broken
 * spm_train) need no SentencePiece installed.
 */
class TrainerFailureTest {

    private static final List<String> CORPUS = List.of("a cat", "一只猫");

    @TempDir
    Path dir;

    @BeforeEach
    void needsAShell() {
        assumeTrue(Files.isExecutable(Path.of("/bin/sh")), "the stand-in trainers are POSIX shell scripts");
    }

    @Test
    void a_missing_trainer_names_the_package_to_install() {
        TrainingOptions o = TrainingOptions.defaults(400).withSpmTrain("spm_train-that-does-not-exist");
        TokenizerTrainingException e = assertThrows(TokenizerTrainingException.class,
                () -> new IceTextModelTrainer(o).train(CORPUS));
        assertTrue(e.getMessage().contains("apt-get install sentencepiece"), e.getMessage());
        assertFalse(IceTextModelTrainer.spmTrainAvailable("spm_train-that-does-not-exist"));
    }

    @Test
    void a_failing_trainer_reports_its_exit_code_and_last_lines() throws IOException {
        TrainingOptions o = fake("""
                i=0; while [ $i -lt 40 ]; do echo "progress line $i" >&2; i=$((i+1)); done
                echo "trainer_interface.cc(660) Vocabulary size too high (400)." >&2
                exit 3
                """);
        TokenizerTrainingException e = assertThrows(TokenizerTrainingException.class,
                () -> new IceTextModelTrainer(o).train(CORPUS));
        assertTrue(e.getMessage().contains("exit code 3"), e.getMessage());
        assertTrue(e.getMessage().contains("Vocabulary size too high (400)."), e.getMessage());
        assertTrue(e.getMessage().contains("progress line 39") && !e.getMessage().contains("progress line 5\n"),
                "only the last lines: " + e.getMessage());
    }

    @Test
    void a_trainer_that_writes_no_model_is_reported() throws IOException {
        TrainingOptions o = fake("echo done >&2\n");
        TokenizerTrainingException e = assertThrows(TokenizerTrainingException.class,
                () -> new IceTextModelTrainer(o).train(CORPUS));
        assertTrue(e.getMessage().contains("wrote no ice_text.model"), e.getMessage());
    }

    @Test
    void a_corrupt_model_is_reported() throws IOException {
        TrainingOptions o = fake("printf '\\n\\377\\377\\377garbage' > ice_text.model\n");
        TokenizerTrainingException e = assertThrows(TokenizerTrainingException.class,
                () -> new IceTextModelTrainer(o).train(CORPUS, dir.resolve("out.model")));
        assertTrue(e.getMessage().contains("spm_train wrote a model that cannot be read"), e.getMessage());
        assertFalse(Files.exists(dir.resolve("out.model")), "nothing is written for a failed training");
    }

    @Test
    void a_model_with_the_wrong_special_pieces_is_reported() throws IOException {
        Path model = dir.resolve("wrong.model");
        Files.write(model, ModelProtoWriter.write(model(PieceType.CONTROL)));
        TrainingOptions o = fake("cat '" + model + "' > ice_text.model\n");
        TokenizerTrainingException e = assertThrows(TokenizerTrainingException.class,
                () -> new IceTextModelTrainer(o).train(CORPUS));
        assertTrue(e.getMessage().contains("piece 4 is '<n>' (CONTROL), icetk's layout has '<n>' (USER_DEFINED)"), e.getMessage());
    }

    @Test
    void a_model_in_icetks_layout_passes_and_is_written(@TempDir Path out) throws IOException {
        Path model = dir.resolve("right.model");
        Files.write(model, ModelProtoWriter.write(model(PieceType.USER_DEFINED)));
        TrainingOptions o = fake("cat '" + model + "' > ice_text.model\n");
        TrainedTextModel m = new IceTextModelTrainer(o).train(CORPUS, out.resolve("ice_text.model"));
        assertEquals(PieceType.NORMAL, m.tokenizer().processor().type(5), "byte pieces were moved behind the learned ones");
        assertEquals(-1, Files.mismatch(out.resolve("ice_text.model"), writeTo(out.resolve("check"), m.bytes())));
    }

    @Test
    void a_trainer_that_hangs_is_stopped() throws IOException {
        TrainingOptions o = fake("exec sleep 30\n").withTimeout(Duration.ofMillis(300));
        TokenizerTrainingException e = assertThrows(TokenizerTrainingException.class,
                () -> new IceTextModelTrainer(o).train(CORPUS));
        assertTrue(e.getMessage().contains("did not finish within"), e.getMessage());
    }

    @Test
    void an_empty_corpus_and_bad_options_are_refused() {
        assertThrows(InvalidInputException.class, () -> new IceTextModelTrainer(TrainingOptions.defaults(400))
                .train(List.of(" ", "<start_of_image>", "\n")));
        assertThrows(InvalidInputException.class, () -> TrainingOptions.defaults(200));
        assertThrows(InvalidInputException.class, () -> TrainingOptions.defaults(400).withCharacterCoverage(0));
        assertThrows(InvalidInputException.class, () -> TrainingOptions.defaults(400).withThreads(0));
    }

    /** A spm_train stand-in: the script runs in the trainer's work directory, as spm_train does. */
    private TrainingOptions fake(String body) throws IOException {
        Path script = dir.resolve("fake_spm_train");
        Files.writeString(script, "#!/bin/sh\n" + body);
        Files.setPosixFilePermissions(script, PosixFilePermissions.fromString("rwx------"));
        return TrainingOptions.defaults(400).withSpmTrain(script.toString());
    }

    private static Path writeTo(Path file, byte[] bytes) throws IOException {
        return Files.write(file, bytes);
    }

    /** What spm_train writes with byte fallback: the five icetk pieces, the 256 byte pieces, then learned ones. */
    static ModelProto model(PieceType newline) {
        List<ModelProto.Piece> pieces = new java.util.ArrayList<>(List.of(
                new ModelProto.Piece("<unk>", 0, PieceType.UNKNOWN),
                new ModelProto.Piece("<s>", 0, PieceType.CONTROL),
                new ModelProto.Piece("</s>", 0, PieceType.CONTROL),
                new ModelProto.Piece("<pad>", 0, PieceType.CONTROL),
                new ModelProto.Piece("<n>", 0, newline)));
        for (int b = 0; b < 256; b++) {
            pieces.add(new ModelProto.Piece(String.format("<0x%02X>", b), 0, PieceType.BYTE));
        }
        for (String p : List.of("\u2581", "a", "\u2581cat", "c", "t", "一", "只", "猫")) {
            pieces.add(new ModelProto.Piece(p, -2f - pieces.size() / 100f, PieceType.NORMAL));
        }
        return new ModelProto(List.copyOf(pieces),
                new ModelProto.Trainer(ModelProto.ModelType.UNIGRAM, false, true, " \u2047 "),
                new ModelProto.Normalization("nmt_nfkc", IceTextLayoutTest.identityCharsmap(), true, true, true),
                List.of(), null);
    }
}
