package org.cogview2.models.pipeline;

import org.cogview2.api.ClosableTokenizer;
import org.cogview2.api.PipelineInfo;
import org.cogview2.api.SpecialToken;
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
 * Everything a pipeline runs with, loaded once: the ICE tokenizer, the three transformers (CogLM, DSR, iterative SR,
 * each with its own weights and CogLM's hyper-parameters), the cluster table, on one backend. The checkpoints stay
 * memory-mapped while the set is open (backends may use weights in place). Read-only after loading, so shared
 * safely by concurrent generations.
 */
public final class ModelSet implements AutoCloseable {

    private final Backend backend;
    private final IceTokenizer tokenizer;
    private final CogLm coglm;
    private final InversePromptSelector postSelector;
    private final DirectSuperResolution dsr;
    private final IterativeSuperResolution itersr;
    private final PipelineInfo info;
    private final List<AutoCloseable> resources;

    private ModelSet(Backend backend, IceTokenizer tokenizer, CogLm coglm, InversePromptSelector postSelector,
                     DirectSuperResolution dsr, IterativeSuperResolution itersr, PipelineInfo info, List<AutoCloseable> resources) {
        this.backend = backend;
        this.tokenizer = tokenizer;
        this.coglm = coglm;
        this.postSelector = postSelector;
        this.dsr = dsr;
        this.itersr = itersr;
        this.info = info;
        this.resources = resources;
    }

    /**
     * Loads a model set. Every checkpoint is validated (names, shapes, dtypes, all problems reported at once) before
     * anything is uploaded. On failure everything loaded so far is released. The backend is owned by the set when
     * {@code ownsBackend}.
     */
    public static ModelSet load(ModelSources sources, Backend backend, boolean ownsBackend) {
        List<AutoCloseable> resources = new ArrayList<>();
        if (ownsBackend) {
            resources.add(backend);
        }
        try {
            IceTokenizer tokenizer = IceTokenizer.load(sources.iceText(), sources.iceImage(), backend);
            resources.add(tokenizer);
            ClusterTable clusters = ClusterTable.load(sources.clusterTable());
            int soi = tokenizer.specialTokenId(SpecialToken.START_OF_IMAGE);
            int soc = tokenizer.specialTokenId(SpecialToken.START_OF_CHINESE);

            TransformerConfig config = sources.coglm().config();
            SatModel coglmModel = track(resources, SatModel.load(sources.coglm(), config, backend, SatCheckpoints.Extra.NONE));
            CogLm coglm = new CogLm(coglmModel.transformer(), backend, clusters, soi, CogLm.DEFAULT_MAX_BATCH);
            InversePromptSelector selector = new InversePromptSelector(coglmModel.transformer(), backend, soc);

            // The SR models are built from CogLM's hyper-parameters; their own model_config.json is not read.
            SatModel dsrModel = track(resources, SatModel.load(sources.dsr(), config, backend, SatCheckpoints.Extra.DSR));
            DirectSuperResolution dsr = new DirectSuperResolution(dsrModel.transformer(), dsrModel.extra(), backend, clusters, soi);
            SatModel itersrModel = track(resources, SatModel.load(sources.itersr(), config, backend, SatCheckpoints.Extra.ITERSR));
            IterativeSuperResolution itersr = new IterativeSuperResolution(itersrModel.transformer(), itersrModel.extra(), backend, soi);

            PipelineInfo info = new PipelineInfo(backend.name(), sources.description(), sources.demo());
            return new ModelSet(backend, tokenizer, coglm, selector, dsr, itersr, info, resources);
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

    public CogLm coglm() {
        return coglm;
    }

    public InversePromptSelector postSelector() {
        return postSelector;
    }

    public DirectSuperResolution dsr() {
        return dsr;
    }

    public IterativeSuperResolution itersr() {
        return itersr;
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
