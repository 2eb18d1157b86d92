package org.cogview2.models.pipeline;

import org.cogview2.api.ClosableTokenizer;
import org.cogview2.api.CogView2Pipeline;
import org.cogview2.api.PipelineConfig;
import org.cogview2.api.PipelineFactory;
import org.cogview2.api.RgbImage;
import org.cogview2.api.SpecialToken;
import org.cogview2.api.TokenGrid;
import org.cogview2.demomodels.DemoModelSet;
import org.cogview2.api.BackendUnavailableException;
import org.cogview2.spi.Backend;
import org.cogview2.spi.BackendException;
import org.cogview2.spi.Backends;
import org.cogview2.tokenizer.icetk.IceTokenizer;

import java.nio.file.Path;
import java.util.List;

/**
 * Opens pipelines for {@link org.cogview2.api.CogView2#open}: selects the backend ({@link Backends}), finds the model
 * files (a {@code SAT_HOME}-like folder, or the built-in demo set) and loads them.
 */
public final class DefaultPipelineFactory implements PipelineFactory {

    @Override
    public CogView2Pipeline open(PipelineConfig config) {
        ModelSources sources = sources(config);
        Backend backend = selectBackend(config);
        return new DefaultPipeline(ModelSet.load(sources, backend, true, config.residency()));
    }

    /**
     * The configured backend (or the best available). Selection errors are the api's
     * {@link BackendUnavailableException}, so that an application coded against the api can catch them by type.
     */
    static Backend selectBackend(PipelineConfig config) {
        try {
            return Backends.discover().select(config.backend());
        } catch (BackendException e) {
            throw new BackendUnavailableException(e.getMessage(), e);
        }
    }

    /** A pipeline on a backend the caller owns (embedding frameworks such as Guice manage the backend themselves). */
    public static CogView2Pipeline open(PipelineConfig config, Backend backend) {
        return new DefaultPipeline(ModelSet.load(sources(config), backend, false, config.residency()));
    }

    @Override
    public ClosableTokenizer openTokenizer(PipelineConfig config) {
        ModelSources sources = sources(config);
        Backend backend = selectBackend(config);
        try {
            return new BackendOwningTokenizer(IceTokenizer.load(sources.iceText(), sources.iceImage(), backend), backend);
        } catch (RuntimeException e) {
            backend.close();
            throw e;
        }
    }

    static ModelSources sources(PipelineConfig config) {
        if (config.models() == null) {
            Path demo = DemoModelSet.ensure();
            return ModelSources.discover(demo, config.clusterTable()).asDemo(DemoModelSet.DESCRIPTION + " in " + demo);
        }
        return ModelSources.discover(config.models(), config.clusterTable());
    }

    /** A tokenizer that also releases the backend it was loaded on. */
    private record BackendOwningTokenizer(IceTokenizer tokenizer, Backend backend) implements ClosableTokenizer {
        @Override public int[] encode(String text) { return tokenizer.encode(text); }
        @Override public int[] encode(String text, boolean linebreaks) { return tokenizer.encode(text, linebreaks); }
        @Override public List<String> tokenize(String text) { return tokenizer.tokenize(text); }
        @Override public String decode(int[] textIds) { return tokenizer.decode(textIds); }
        @Override public int tokenId(String piece) { return tokenizer.tokenId(piece); }
        @Override public String tokenName(int id) { return tokenizer.tokenName(id); }
        @Override public int specialTokenId(SpecialToken token) { return tokenizer.specialTokenId(token); }
        @Override public int vocabularySize() { return tokenizer.vocabularySize(); }
        @Override public TokenGrid encodeImage(RgbImage image, int rate) { return tokenizer.encodeImage(image, rate); }
        @Override public TokenGrid encodePicture(RgbImage p, int size, int rate) { return tokenizer.encodePicture(p, size, rate); }
        @Override public RgbImage decodeImage(TokenGrid grid, int rate) { return tokenizer.decodeImage(grid, rate); }

        @Override
        public void close() {
            try {
                tokenizer.close();
            } finally {
                backend.close();
            }
        }
    }
}
