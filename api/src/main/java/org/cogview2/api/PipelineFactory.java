package org.cogview2.api;

/**
 * Implemented by the module that provides the pipeline (registered in
 * {@code META-INF/services/org.cogview2.api.PipelineFactory}); users call {@link CogView2#open(PipelineConfig)}.
 */
public interface PipelineFactory {

    CogView2Pipeline open(PipelineConfig config);

    /** Only the tokenizer of the configured models (no transformer is loaded). Close it to free the image codec. */
    ClosableTokenizer openTokenizer(PipelineConfig config);
}
