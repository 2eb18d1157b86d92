package org.cogview2.guice;

import com.google.inject.AbstractModule;
import com.google.inject.Injector;
import com.google.inject.Provides;
import com.google.inject.Singleton;
import org.cogview2.api.CogView2Pipeline;
import org.cogview2.api.LanguageModel;
import org.cogview2.api.PipelineConfig;
import org.cogview2.api.StageResidency;
import org.cogview2.api.PostSelector;
import org.cogview2.api.Refiner;
import org.cogview2.api.SuperResolver;
import org.cogview2.api.Tokenizer;
import org.cogview2.models.pipeline.DefaultPipelineFactory;
import org.cogview2.spi.Backend;
import org.cogview2.spi.Backends;

import java.nio.file.Path;
import java.util.Properties;

/**
 * Binds CogView2 for Guice: the selected {@link Backend} and, on it, the {@link CogView2Pipeline} with its
 * components ({@link Tokenizer}, {@link LanguageModel}, {@link PostSelector}, {@link SuperResolver},
 * {@link Refiner}), all singletons (they are thread-safe).
 *
 * <pre>{@code
 * Injector injector = Guice.createInjector(CogView2Module.fromProperties(System.getProperties()));
 * CogView2Pipeline pipeline = injector.getInstance(CogView2Pipeline.class);
 * ...
 * CogView2Module.shutdown(injector);   // releases the models, then the backend
 * }</pre>
 */
public final class CogView2Module extends AbstractModule {

    /** Property naming the models folder (unset: the built-in demo models). */
    public static final String MODELS = "cogview2.models";
    /** Property naming the backend (unset: the best available). */
    public static final String BACKEND = Backends.BACKEND_PROPERTY;
    /** Property naming the cluster table (unset: next to the models). */
    public static final String CLUSTER_TABLE = "cogview2.clusterTable";

    /** Property naming the {@link StageResidency} (unset: {@code ALL_STAGES}). */
    public static final String RESIDENCY = "cogview2.residency";

    private final PipelineConfig config;

    public CogView2Module(PipelineConfig config) {
        this.config = config;
    }

    /** A module configured from {@value #MODELS}, {@value #BACKEND}, {@value #CLUSTER_TABLE} and {@value #RESIDENCY}. */
    public static CogView2Module fromProperties(Properties properties) {
        String models = properties.getProperty(MODELS);
        String table = properties.getProperty(CLUSTER_TABLE);
        String residency = properties.getProperty(RESIDENCY, StageResidency.ALL_STAGES.name()).strip();
        StageResidency policy;
        try {
            policy = StageResidency.valueOf(residency);
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException(RESIDENCY + " must be one of " + java.util.Arrays.toString(StageResidency.values())
                    + ", got '" + residency + "'", e);
        }
        return new CogView2Module(new PipelineConfig(models == null ? null : Path.of(models),
                properties.getProperty(BACKEND), table == null ? null : Path.of(table), policy));
    }

    /** Closes the pipeline and then the backend of an injector made with this module (if they were created). */
    public static void shutdown(Injector injector) {
        try {
            injector.getInstance(CogView2Pipeline.class).close();
        } finally {
            injector.getInstance(Backend.class).close();
        }
    }

    @Provides
    @Singleton
    Backend backend() {
        return Backends.discover().select(config.backend());
    }

    @Provides
    @Singleton
    CogView2Pipeline pipeline(Backend backend) {
        return DefaultPipelineFactory.open(config, backend);
    }

    @Provides
    Tokenizer tokenizer(CogView2Pipeline pipeline) {
        return pipeline.tokenizer();
    }

    @Provides
    LanguageModel languageModel(CogView2Pipeline pipeline) {
        return pipeline.languageModel();
    }

    @Provides
    PostSelector postSelector(CogView2Pipeline pipeline) {
        return pipeline.postSelector();
    }

    @Provides
    SuperResolver superResolver(CogView2Pipeline pipeline) {
        return pipeline.superResolver();
    }

    @Provides
    Refiner refiner(CogView2Pipeline pipeline) {
        return pipeline.refiner();
    }
}
