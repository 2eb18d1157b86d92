package org.cogview2.api;

/**
 * The whole of CogView2 on one loaded model set: tokenizer → CogLM → optional post-selection → direct
 * super-resolution → iterative super-resolution → decoder. Obtain one with {@link CogView2#open(PipelineConfig)}.
 *
 * <p>Thread-safe: several generations may run at once on one pipeline (the weights are shared read-only; each run
 * has its own caches). The same seed and options give the same images whether runs are concurrent or not.
 */
public interface CogView2Pipeline extends AutoCloseable {

    /**
     * Generates images for a prompt.
     *
     * @throws PromptTooLongException before any work if the templated prompt is over 110 ids, or (when
     *                                super-resolution runs) its text over 95 ids
     * @throws GenerationCancelledException if the options' cancellation token fires
     */
    GenerationResult generate(String prompt, GenerationOptions options);

    /**
     * Text-guided completion: re-generates the part of {@code image} inside {@code box} so that it fits the prompt
     * (the picture is first resized and centre-cropped to 480x480). Unless the options choose a style, the official
     * completion style {@link Style#NONE} is used (no template around the prompt), as the official script does.
     */
    CompletionResult complete(String prompt, RgbImage image, CompletionBox box, GenerationOptions options);

    Tokenizer tokenizer();

    LanguageModel languageModel();

    PostSelector postSelector();

    SuperResolver superResolver();

    Refiner refiner();

    /** What this pipeline runs on and with. */
    PipelineInfo info();

    /** Releases the models and the backend. */
    @Override
    void close();
}
