package org.cogview2.models.transformer;

import org.cogview2.checkpoint.SatModelFolder;
import org.cogview2.checkpoint.TorchCheckpoint;
import org.cogview2.checkpoint.TransformerConfig;
import org.cogview2.spi.Backend;
import org.cogview2.spi.TensorScope;

/**
 * One loaded SAT model of CogView2: its transformer (and, for the SR models, its mixin weights) on a backend. The
 * checkpoint stays memory-mapped until {@link #close()}, because backends may use the weights in place.
 */
public final class SatModel implements AutoCloseable {

    private final SatTransformer transformer;
    private final MixinWeights extra;
    private final TorchCheckpoint checkpoint;
    private final TensorScope weights;

    private SatModel(SatTransformer transformer, MixinWeights extra, TorchCheckpoint checkpoint, TensorScope weights) {
        this.transformer = transformer;
        this.extra = extra;
        this.checkpoint = checkpoint;
        this.weights = weights;
    }

    /**
     * Opens the folder's checkpoint, validates it against {@code config} (CogLM's hyper-parameters for all three
     * models) and the mixins of {@code kind}, and uploads the weights.
     */
    public static SatModel load(SatModelFolder folder, TransformerConfig config, Backend backend, SatCheckpoints.Extra kind) {
        TorchCheckpoint checkpoint = folder.openCheckpoint();
        TensorScope weights = null;
        try {
            SatCheckpoints.validate(checkpoint, config, kind);
            weights = backend.newScope();
            TransformerWeights transformer = TransformerWeights.upload(weights, checkpoint.stateDict(), config);
            MixinWeights extra = SatCheckpoints.uploadExtra(weights, checkpoint.stateDict(), config, kind);
            return new SatModel(new SatTransformer(config, transformer, backend.kernels()), extra, checkpoint, weights);
        } catch (RuntimeException e) {
            if (weights != null) {
                weights.close();
            }
            checkpoint.close();
            throw e;
        }
    }

    /**
     * Opens the folder's checkpoint and validates it like {@link #load}, without uploading anything (so that a
     * pipeline that loads stages later still reports a bad file when it opens).
     */
    public static void check(SatModelFolder folder, TransformerConfig config, SatCheckpoints.Extra kind) {
        try (TorchCheckpoint checkpoint = folder.openCheckpoint()) {
            SatCheckpoints.validate(checkpoint, config, kind);
        }
    }

    public SatTransformer transformer() {
        return transformer;
    }

    /** The SR mixin weights, or null for CogLM. */
    public MixinWeights extra() {
        return extra;
    }

    @Override
    public void close() {
        weights.close();
        checkpoint.close();
    }
}
