package org.cogview2.conformance;

import org.cogview2.spi.Backend;
import org.cogview2.spi.Capability;

import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import java.util.ServiceLoader;
import java.util.Set;

/**
 * The model-level golden cases of the official code (tokenizers, CogLM, post-selection, DSR, iterative SR, decoding),
 * found with {@link ServiceLoader}: they need the model code, so they live in {@code cogview2-conformance-golden},
 * and a vendor's test class path pulls the models only when it adds that artifact. The kernel rules, and their
 * kernel-level golden cases, need nothing of it.
 */
public interface ModelGoldens {

    /** The implementation on the class path, if any. */
    static Optional<ModelGoldens> find() {
        return ServiceLoader.load(ModelGoldens.class, ModelGoldens.class.getClassLoader()).findFirst();
    }

    /** The artifact that provides the model-level golden cases, for messages. */
    String ARTIFACT = "cogview2-conformance-golden";

    /** A run of the cases under one golden folder on one backend; closing it releases the models it loaded. */
    Session open(Path goldenFolder, Backend backend);

    interface Session extends AutoCloseable {

        List<Case> cases();

        @Override
        void close();
    }

    /** One case folder. */
    interface Case {

        String name();

        String kind();

        /** What the backend must declare for the case to run (otherwise it is skipped, never passed). */
        Set<Capability> requires();

        /** Runs the case; null when it passed, else the line describing the failure. */
        String run();
    }
}
