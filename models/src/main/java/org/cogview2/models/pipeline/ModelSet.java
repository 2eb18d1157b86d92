package org.cogview2.models.pipeline;

import org.cogview2.api.CancellationToken;
import org.cogview2.api.ClosableTokenizer;
import org.cogview2.api.PipelineInfo;
import org.cogview2.api.SpecialToken;
import org.cogview2.api.StageResidency;
import org.cogview2.checkpoint.TransformerConfig;
import org.cogview2.models.coglm.CogLm;
import org.cogview2.models.postselect.InversePromptSelector;
import org.cogview2.models.sampling.ClusterTable;
import org.cogview2.models.sr.DirectSuperResolution;
import org.cogview2.models.sr.IterativeSuperResolution;
import org.cogview2.models.transformer.SatCheckpoints;
import org.cogview2.models.transformer.SatModel;
import org.cogview2.spi.Backend;
import org.cogview2.tokenizer.icetk.IceTokenizer;
import org.cogview2.tokenizer.icetk.image.IceImageTokenizer;

import java.util.ArrayList;
import java.util.List;

/**
 * Everything a pipeline runs with: the ICE tokenizer, the three transformer stages (CogLM, DSR, iterative SR, each
 * with its own weights and CogLM's hyper-parameters) and the cluster table, on one backend. Every checkpoint is
 * checked when the set is opened; when the stages' weights are loaded depends on the {@link StageResidency}
 * ({@link ResidentStages}). Stage components are used through leases ({@link #coglm}, {@link #dsr}, {@link #itersr})
 * so that a stage is not released under a generation that uses it. Read-only after loading, so shared safely by
 * concurrent generations.
 */
public final class ModelSet implements AutoCloseable {

    /** The CogLM stage: generation and post-selection share its weights. */
    record CogLmStage(CogLm coglm, InversePromptSelector postSelector) {
    }

    private final Backend backend;
    private final IceTokenizer tokenizer;
    private final TransformerConfig config;
    private final ResidentStages stages;
    private final ResidentStages.Slot<CogLmStage> coglm;
    private final ResidentStages.Slot<DirectSuperResolution> dsr;
    private final ResidentStages.Slot<IterativeSuperResolution> itersr;
    private final PipelineInfo info;
    private final List<AutoCloseable> resources;

    private ModelSet(Backend backend, IceTokenizer tokenizer, TransformerConfig config, ResidentStages stages,
                     ResidentStages.Slot<CogLmStage> coglm, ResidentStages.Slot<DirectSuperResolution> dsr,
                     ResidentStages.Slot<IterativeSuperResolution> itersr, PipelineInfo info, List<AutoCloseable> resources) {
        this.backend = backend;
        this.tokenizer = tokenizer;
        this.config = config;
        this.stages = stages;
        this.coglm = coglm;
        this.dsr = dsr;
        this.itersr = itersr;
        this.info = info;
        this.resources = resources;
    }

    /** {@link #load(ModelSources, Backend, boolean, StageResidency)} with every stage resident. */
    public static ModelSet load(ModelSources sources, Backend backend, boolean ownsBackend) {
        return load(sources, backend, ownsBackend, StageResidency.ALL_STAGES);
    }

    /**
     * Loads a model set. Every checkpoint is validated (names, shapes, dtypes, all problems reported at once) before
     * anything is uploaded; stage weights are uploaded now ({@link StageResidency#ALL_STAGES}) or when a generation
     * reaches the stage ({@link StageResidency#ONE_STAGE}). A backend that does not declare a {@link
     * org.cogview2.spi.Capability} the set needs is refused first, by name. On failure everything loaded so far is released. The
     * backend is owned by the set when {@code ownsBackend}.
     */
    public static ModelSet load(ModelSources sources, Backend backend, boolean ownsBackend, StageResidency residency) {
        List<AutoCloseable> resources = new ArrayList<>();
        if (ownsBackend) {
            resources.add(backend);
        }
        try {
            BackendFit.require(backend, sources);
            // The SR models are built from CogLM's hyper-parameters; their own model_config.json is not read.
            TransformerConfig config = sources.coglm().config();
            SatModel.check(sources.coglm(), config, SatCheckpoints.Extra.NONE);
            SatModel.check(sources.dsr(), config, SatCheckpoints.Extra.DSR);
            SatModel.check(sources.itersr(), config, SatCheckpoints.Extra.ITERSR);
            IceTokenizer tokenizer = IceTokenizer.load(sources.iceText(), sources.iceImage(), backend);
            resources.add(tokenizer);
            // Only ids the image tokenizer can decode are sampled (all 20000 with the official one).
            int codes = tokenizer.image().model().codes();
            ClusterTable clusters = ClusterTable.load(sources.clusterTable()).restrictedTo(codes);
            int soi = tokenizer.specialTokenId(SpecialToken.START_OF_IMAGE);
            int soc = tokenizer.specialTokenId(SpecialToken.START_OF_CHINESE);

            ResidentStages stages = track(resources, new ResidentStages(residency));
            ResidentStages.Slot<CogLmStage> coglm = stages.add("CogLM",
                    () -> SatModel.load(sources.coglm(), config, backend, SatCheckpoints.Extra.NONE),
                    m -> new CogLmStage(new CogLm(m.transformer(), backend, clusters, soi, CogLm.DEFAULT_MAX_BATCH),
                            new InversePromptSelector(m.transformer(), backend, soc)));
            ResidentStages.Slot<DirectSuperResolution> dsr = stages.add("direct super-resolution",
                    () -> SatModel.load(sources.dsr(), config, backend, SatCheckpoints.Extra.DSR),
                    m -> new DirectSuperResolution(m.transformer(), m.extra(), backend, clusters, soi));
            ResidentStages.Slot<IterativeSuperResolution> itersr = stages.add("iterative super-resolution",
                    () -> SatModel.load(sources.itersr(), config, backend, SatCheckpoints.Extra.ITERSR),
                    m -> new IterativeSuperResolution(m.transformer(), m.extra(), backend, soi, codes));
            stages.loadAll();

            PipelineInfo info = new PipelineInfo(backend.name(), sources.description(), sources.demo());
            return new ModelSet(backend, tokenizer, config, stages, coglm, dsr, itersr, info, resources);
        } catch (RuntimeException | Error e) {
            closeAll(resources);
            throw e;
        }
    }

    private static <T extends AutoCloseable> T track(List<AutoCloseable> resources, T resource) {
        resources.add(resource);
        return resource;
    }

    public Backend backend() {
        return backend;
    }

    public ClosableTokenizer tokenizer() {
        return tokenizer;
    }

    public IceImageTokenizer imageTokenizer() {
        return tokenizer.image();
    }

    /** CogLM's hyper-parameters (shared by the three stages). */
    public TransformerConfig config() {
        return config;
    }

    public StageResidency residency() {
        return stages.policy();
    }

    /** The CogLM stage (generation, post-selection) until the lease is closed. */
    ResidentStages.Lease<CogLmStage> coglm(CancellationToken cancellation) {
        return stages.acquire(coglm, cancellation);
    }

    /** The direct super-resolution stage until the lease is closed. */
    ResidentStages.Lease<DirectSuperResolution> dsr(CancellationToken cancellation) {
        return stages.acquire(dsr, cancellation);
    }

    /** The iterative super-resolution stage until the lease is closed. */
    ResidentStages.Lease<IterativeSuperResolution> itersr(CancellationToken cancellation) {
        return stages.acquire(itersr, cancellation);
    }

    /** Which stages' weights are loaded now, in order CogLM, DSR, iterative SR (tests, memory reports). */
    List<Boolean> loadedStages() {
        return List.of(stages.isLoaded(coglm), stages.isLoaded(dsr), stages.isLoaded(itersr));
    }

    public PipelineInfo info() {
        return info;
    }

    @Override
    public void close() {
        closeAll(resources);
    }

    private static void closeAll(List<AutoCloseable> resources) {
        RuntimeException failure = null;
        for (int i = resources.size() - 1; i >= 0; i--) {
            try {
                resources.get(i).close();
            } catch (Exception e) {
                if (failure == null) {
                    failure = new IllegalStateException("could not release " + resources.get(i), e);
                }
            }
        }
        resources.clear();
        if (failure != null) {
            throw failure;
        }
    }
}
