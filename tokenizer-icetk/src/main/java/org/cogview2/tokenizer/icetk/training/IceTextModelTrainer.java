package org.cogview2.tokenizer.icetk.training;

import org.cogview2.api.ModelFormatException;
import org.cogview2.tokenizer.icetk.IceTextTokenizer;
import org.cogview2.tokenizer.icetk.text.ModelProto;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.Comparator;
import java.util.List;
import java.util.Objects;
import java.util.stream.Stream;

/**
 * Trains icetk's text tokenizer, {@code ice_text.model}, from a corpus with the reference trainer (spm_train, a
 * SentencePiece UNIGRAM model) and lays it out as icetk's release: ids 0–4 {@code <unk> <s> </s> <pad> <n>}, the
 * learned pieces, then (with byte fallback) the 256 byte pieces; see {@link IceTextLayout}. The three
 * {@code <start_of_...>} pieces are not in the file: icetk and {@link IceTextTokenizer} append them at load.
 *
 * <p>The same corpus and options give a byte-identical file. Usage:
 * <pre>{@code
 * TrainedTextModel m = new IceTextModelTrainer(TrainingOptions.defaults(130_000)).train(sentences, dir.resolve("ice_text.model"));
 * TokenizerReport r = TokenizerReport.measure(m.tokenizer(), englishCaptions, chineseCaptions, sentences);
 * }</pre>
 */
public final class IceTextModelTrainer {

    /** Names the model in messages; it has no path of its own until it is written. */
    private static final Path SPM_OUTPUT = Path.of(SpmTrain.MODEL);

    private final TrainingOptions options;

    public IceTextModelTrainer(TrainingOptions options) {
        this.options = Objects.requireNonNull(options, "options");
    }

    public TrainingOptions options() {
        return options;
    }

    /** Whether the trainer executable can be found (a name on {@code PATH} or a path). */
    public static boolean spmTrainAvailable(String executable) {
        return SpmTrain.locate(executable).isPresent();
    }

    /** Whether Debian's {@code spm_train} is on {@code PATH}. */
    public static boolean spmTrainAvailable() {
        return spmTrainAvailable(TrainingOptions.SPM_TRAIN);
    }

    /** Trains on {@code corpus} and writes {@code ice_text.model} to {@code output} (replacing it, never half-written). */
    public TrainedTextModel train(List<String> corpus, Path output) {
        TrainedTextModel model = train(corpus);
        write(model.bytes(), output);
        return model;
    }

    /** Trains on {@code corpus}; the result holds the bytes of {@code ice_text.model}. */
    public TrainedTextModel train(List<String> corpus) {
        Objects.requireNonNull(corpus, "corpus");
        Path work;
        try {
            work = Files.createTempDirectory("ice-text-training-");
        } catch (IOException e) {
            throw new TokenizerTrainingException("cannot create a work directory for spm_train: " + e.getMessage(), e);
        }
        try {
            int sentences;
            try {
                sentences = TrainingCorpus.write(corpus, work.resolve(SpmTrain.CORPUS));
            } catch (IOException e) {
                throw new TokenizerTrainingException("cannot write the corpus for spm_train: " + e.getMessage(), e);
            }
            byte[] spmBytes = SpmTrain.run(options, work);
            return postProcess(spmBytes, sentences);
        } finally {
            deleteTree(work);
        }
    }

    /**
     * Checks spm_train's model against icetk's layout, moves the byte pieces behind the learned ones if needed, and
     * loads the result as icetk would (appending the special tokens), so a file that is returned is known to load.
     */
    TrainedTextModel postProcess(byte[] spmBytes, int sentences) {
        ModelProto spm = parse(spmBytes, "spm_train wrote a model that cannot be read");
        IceTextLayout.check(spm, options.byteFallback(), "spm_train's model");
        byte[] bytes = spmBytes;
        ModelProto model = spm;
        if (!IceTextLayout.bytePiecesLast(spm)) {
            bytes = IceTextLayout.moveBytePiecesLast(spmBytes, spm);
            model = parse(bytes, "the model with its byte pieces moved cannot be read");
            IceTextLayout.check(model, options.byteFallback(), "the model with its byte pieces moved");
        }
        if (options.exactVocabularySize() && model.pieces().size() != options.vocabularySize()) {
            throw new TokenizerTrainingException("spm_train's model has " + model.pieces().size()
                    + " pieces, " + options.vocabularySize() + " were required");
        }
        IceTextTokenizer tokenizer;
        try {
            tokenizer = IceTextTokenizer.of(SPM_OUTPUT, model);
        } catch (ModelFormatException e) {
            throw new TokenizerTrainingException("the trained model does not load as icetk's text model: " + e.getMessage(), e);
        }
        return new TrainedTextModel(bytes, model.pieces().size(), sentences, tokenizer);
    }

    private static ModelProto parse(byte[] bytes, String problem) {
        try {
            return ModelProto.parse(SPM_OUTPUT, bytes);
        } catch (ModelFormatException e) {
            throw new TokenizerTrainingException(problem + " (" + bytes.length + " bytes): " + e.getMessage(), e);
        }
    }

    private static void write(byte[] bytes, Path output) {
        Path target = output.toAbsolutePath();
        Path partial = target.resolveSibling(target.getFileName() + ".partial");
        try {
            Files.createDirectories(target.getParent());
            Files.write(partial, bytes);
            try {
                Files.move(partial, target, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
            } catch (AtomicMoveNotSupportedException e) {
                Files.move(partial, target, StandardCopyOption.REPLACE_EXISTING);
            }
        } catch (IOException e) {
            throw new TokenizerTrainingException("cannot write " + output + ": " + e.getMessage(), e);
        }
    }

    /** Removes the work directory: the corpus copy, spm_train's log, model and vocabulary. */
    private static void deleteTree(Path dir) {
        try (Stream<Path> files = Files.walk(dir)) {
            for (Path p : files.sorted(Comparator.reverseOrder()).toList()) {
                Files.deleteIfExists(p);
            }
        } catch (IOException | UncheckedIOException e) {
            // Only temporary files are left behind; the training result is unaffected.
        }
    }
}
