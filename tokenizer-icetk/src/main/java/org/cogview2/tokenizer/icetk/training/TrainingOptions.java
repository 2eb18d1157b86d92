package org.cogview2.tokenizer.icetk.training;

import org.cogview2.api.InvalidInputException;

import java.time.Duration;
import java.util.Objects;

/**
 * How {@link IceTextModelTrainer} trains {@code ice_text.model}.
 *
 * @param vocabularySize      pieces in the written file, the five icetk pieces and (with byte fallback) the 256 byte
 *                            pieces included, the three {@code <start_of_...>} pieces not (icetk appends them at
 *                            load); the released model has 130 000
 * @param characterCoverage   share of the corpus characters that must be pieces of their own (0.9995 suits Chinese:
 *                            the rarest characters are left to byte fallback); in (0, 1]
 * @param byteFallback        unknown characters encode as UTF-8 byte pieces instead of {@code <unk>}, so any prompt
 *                            encodes and decodes back
 * @param threads             spm_train's {@code --num_threads}; it is recorded in the model and can change float sums,
 *                            so keep it fixed where files must be byte-identical (the default is spm_train's own, 16)
 * @param inputSentenceSize   use only the first this many corpus sentences (0: all); never sampled, so the choice is
 *                            deterministic
 * @param exactVocabularySize fail when the corpus cannot fill {@code vocabularySize} pieces; when false the size is
 *                            an upper bound and a small corpus gives a smaller model (see the training report)
 * @param randomSeed          spm_train's {@code --random_seed}; fixed so no run draws from the system's entropy
 * @param spmTrain            the trainer executable: a name looked up on {@code PATH} or a path
 * @param timeout             how long spm_train may run before it is stopped
 */
public record TrainingOptions(int vocabularySize, double characterCoverage, boolean byteFallback, int threads,
                              long inputSentenceSize, boolean exactVocabularySize, int randomSeed, String spmTrain,
                              Duration timeout) {

    /** Debian's {@code sentencepiece} package installs the reference trainer under this name. */
    public static final String SPM_TRAIN = "spm_train";

    public TrainingOptions {
        Objects.requireNonNull(spmTrain, "spmTrain");
        Objects.requireNonNull(timeout, "timeout");
        int minimum = IceTextLayout.PIECES.size() + (byteFallback ? 256 : 0) + 1;
        if (vocabularySize < minimum) {
            throw new InvalidInputException("vocabulary size " + vocabularySize + " is too small: the icetk pieces"
                    + (byteFallback ? " and the 256 byte pieces" : "") + " alone take " + (minimum - 1));
        }
        if (!(characterCoverage > 0 && characterCoverage <= 1)) {
            throw new InvalidInputException("character coverage " + characterCoverage + " is not in (0, 1]");
        }
        if (threads < 1) {
            throw new InvalidInputException("thread count " + threads + " is not positive");
        }
        if (inputSentenceSize < 0) {
            throw new InvalidInputException("input sentence size " + inputSentenceSize + " is negative (0 means all)");
        }
        if (spmTrain.isBlank()) {
            throw new InvalidInputException("the spm_train executable name is blank");
        }
        if (timeout.isNegative() || timeout.isZero()) {
            throw new InvalidInputException("timeout " + timeout + " is not positive");
        }
    }

    /** Coverage 0.9995, byte fallback, 16 threads, all sentences, soft size limit, seed 0, {@code spm_train}, 1 hour. */
    public static TrainingOptions defaults(int vocabularySize) {
        return new TrainingOptions(vocabularySize, 0.9995, true, 16, 0, false, 0, SPM_TRAIN, Duration.ofHours(1));
    }

    public TrainingOptions withVocabularySize(int pieces) {
        return new TrainingOptions(pieces, characterCoverage, byteFallback, threads, inputSentenceSize,
                exactVocabularySize, randomSeed, spmTrain, timeout);
    }

    public TrainingOptions withCharacterCoverage(double coverage) {
        return new TrainingOptions(vocabularySize, coverage, byteFallback, threads, inputSentenceSize,
                exactVocabularySize, randomSeed, spmTrain, timeout);
    }

    public TrainingOptions withByteFallback(boolean on) {
        return new TrainingOptions(vocabularySize, characterCoverage, on, threads, inputSentenceSize,
                exactVocabularySize, randomSeed, spmTrain, timeout);
    }

    public TrainingOptions withThreads(int count) {
        return new TrainingOptions(vocabularySize, characterCoverage, byteFallback, count, inputSentenceSize,
                exactVocabularySize, randomSeed, spmTrain, timeout);
    }

    public TrainingOptions withInputSentenceSize(long sentences) {
        return new TrainingOptions(vocabularySize, characterCoverage, byteFallback, threads, sentences,
                exactVocabularySize, randomSeed, spmTrain, timeout);
    }

    public TrainingOptions withExactVocabularySize(boolean exact) {
        return new TrainingOptions(vocabularySize, characterCoverage, byteFallback, threads, inputSentenceSize,
                exact, randomSeed, spmTrain, timeout);
    }

    public TrainingOptions withRandomSeed(int seed) {
        return new TrainingOptions(vocabularySize, characterCoverage, byteFallback, threads, inputSentenceSize,
                exactVocabularySize, seed, spmTrain, timeout);
    }

    public TrainingOptions withSpmTrain(String executable) {
        return new TrainingOptions(vocabularySize, characterCoverage, byteFallback, threads, inputSentenceSize,
                exactVocabularySize, randomSeed, executable, timeout);
    }

    public TrainingOptions withTimeout(Duration limit) {
        return new TrainingOptions(vocabularySize, characterCoverage, byteFallback, threads, inputSentenceSize,
                exactVocabularySize, randomSeed, spmTrain, limit);
    }
}
