package org.cogview2.tokenizer.icetk.training;

import java.io.File;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;

/**
 * Runs the reference trainer, {@code spm_train} (Debian package {@code sentencepiece}), as a child process in a work
 * directory holding the corpus. File names are passed relative to that directory because spm_train records them in
 * the model's training spec: the written model names {@code corpus.txt} and {@code ice_text}, never a temporary
 * directory, which keeps two trainings of the same corpus byte-identical.
 */
final class SpmTrain {

    static final String CORPUS = "corpus.txt";
    static final String MODEL_PREFIX = "ice_text";
    static final String MODEL = MODEL_PREFIX + ".model";
    static final String LOG = "spm_train.log";
    static final int LOG_TAIL_LINES = 15;

    private SpmTrain() {
    }

    /** The flags for the corpus in the work directory; see the module README for why each one is there. */
    static List<String> arguments(TrainingOptions o) {
        List<IceTextLayout.Fixed> fixed = IceTextLayout.PIECES;
        return List.of(
                "--input=" + CORPUS,
                "--model_prefix=" + MODEL_PREFIX,
                "--model_type=unigram",
                "--vocab_size=" + o.vocabularySize(),
                "--hard_vocab_limit=" + o.exactVocabularySize(),
                "--character_coverage=" + o.characterCoverage(),
                "--byte_fallback=" + o.byteFallback(),
                "--unk_id=0", "--bos_id=1", "--eos_id=2", "--pad_id=3",
                "--unk_piece=" + fixed.get(0).piece(), "--bos_piece=" + fixed.get(1).piece(),
                "--eos_piece=" + fixed.get(2).piece(), "--pad_piece=" + fixed.get(3).piece(),
                "--user_defined_symbols=" + fixed.get(4).piece(),
                "--normalization_rule_name=" + IceTextLayout.NORMALIZATION,
                "--add_dummy_prefix=true",
                "--remove_extra_whitespaces=true",
                "--num_threads=" + o.threads(),
                "--input_sentence_size=" + o.inputSentenceSize(),
                "--shuffle_input_sentence=false",
                "--random_seed=" + Integer.toUnsignedString(o.randomSeed()));
    }

    /** Trains in {@code workDir} (which holds {@link #CORPUS}) and returns the bytes of the model spm_train wrote. */
    static byte[] run(TrainingOptions options, Path workDir) {
        Path executable = locate(options.spmTrain()).orElseThrow(() -> new TokenizerTrainingException(
                "spm_train not found ('" + options.spmTrain() + "' is not an executable"
                        + (options.spmTrain().contains(File.separator) ? "" : " on PATH")
                        + "): install Debian's 'sentencepiece' package (apt-get install sentencepiece),"
                        + " or set TrainingOptions.spmTrain to the trainer's path"));
        List<String> command = new ArrayList<>();
        command.add(executable.toString());
        command.addAll(arguments(options));
        Path log = workDir.resolve(LOG);
        Process process;
        try {
            process = new ProcessBuilder(command).directory(workDir.toFile())
                    .redirectErrorStream(true).redirectOutput(log.toFile()).start();
        } catch (IOException e) {
            throw new TokenizerTrainingException("cannot start " + executable + ": " + e.getMessage(), e);
        }
        try {
            process.getOutputStream().close(); // spm_train reads nothing from stdin
            if (!process.waitFor(options.timeout().toMillis(), TimeUnit.MILLISECONDS)) {
                process.destroyForcibly();
                throw new TokenizerTrainingException("spm_train did not finish within " + options.timeout()
                        + " and was stopped; its last output:\n" + tail(log));
            }
        } catch (InterruptedException e) {
            process.destroyForcibly();
            Thread.currentThread().interrupt();
            throw new TokenizerTrainingException("interrupted while spm_train was training; it was stopped", e);
        } catch (IOException e) {
            process.destroyForcibly();
            throw new TokenizerTrainingException("cannot talk to spm_train: " + e.getMessage(), e);
        }
        int exit = process.exitValue();
        if (exit != 0) {
            throw new TokenizerTrainingException("spm_train failed (exit code " + exit + "); its last output:\n" + tail(log));
        }
        Path model = workDir.resolve(MODEL);
        if (!Files.isRegularFile(model)) {
            throw new TokenizerTrainingException("spm_train exited normally but wrote no " + MODEL
                    + "; its last output:\n" + tail(log));
        }
        try {
            return Files.readAllBytes(model);
        } catch (IOException e) {
            throw new TokenizerTrainingException("cannot read the model spm_train wrote: " + e.getMessage(), e);
        }
    }

    /** The executable: a path as given, or a bare name looked up on {@code PATH}. */
    static Optional<Path> locate(String executable) {
        if (executable.contains(File.separator) || executable.contains("/")) {
            Path p = Path.of(executable);
            return Files.isRegularFile(p) && Files.isExecutable(p) ? Optional.of(p) : Optional.empty();
        }
        String path = System.getenv("PATH");
        if (path == null) {
            return Optional.empty();
        }
        for (String dir : path.split(File.pathSeparator)) {
            if (dir.isEmpty()) {
                continue;
            }
            Path p = Path.of(dir).resolve(executable);
            if (Files.isRegularFile(p) && Files.isExecutable(p)) {
                return Optional.of(p);
            }
        }
        return Optional.empty();
    }

    /** The last lines spm_train printed (it logs to stderr; errors come last). */
    static String tail(Path log) {
        try {
            // Decoded leniently: spm_train echoes corpus characters, and a broken byte must not hide the error.
            List<String> lines = new String(Files.readAllBytes(log), StandardCharsets.UTF_8).lines().toList();
            if (lines.isEmpty()) {
                return "(nothing)";
            }
            return String.join("\n", lines.subList(Math.max(0, lines.size() - LOG_TAIL_LINES), lines.size()));
        } catch (IOException e) {
            return "(its output cannot be read: " + e.getMessage() + ")";
        }
    }
}
