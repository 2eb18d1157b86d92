package org.cogview2.api;

import java.util.Iterator;
import java.util.ServiceLoader;

/**
 * The entry point: {@code try (CogView2Pipeline p = CogView2.open(PipelineConfig.models(dir))) { ... }}. The
 * implementation is found with {@link ServiceLoader}, so this API knows nothing of models or backends.
 */
public final class CogView2 {

    private CogView2() {
    }

    public static CogView2Pipeline open(PipelineConfig config) {
        return factory().open(config);
    }

    /** The tokenizer of the configured models alone. */
    public static ClosableTokenizer openTokenizer(PipelineConfig config) {
        return factory().openTokenizer(config);
    }

    private static PipelineFactory factory() {
        Iterator<PipelineFactory> factories = ServiceLoader.load(PipelineFactory.class).iterator();
        if (!factories.hasNext()) {
            throw new CogView2Exception("no CogView2 implementation on the class path: add the cogview2-models "
                    + "dependency and a backend such as cogview2-backend-cpu-reference");
        }
        return factories.next();
    }
}
