package org.cogview2.models.sr;

import org.cogview2.models.transformer.MixinWeights;

import org.cogview2.api.DsrSampling;
import org.cogview2.api.InvalidInputException;
import org.cogview2.api.RunControl;
import org.cogview2.api.Stage;
import org.cogview2.api.SuperResolver;
import org.cogview2.api.TokenGrid;
import org.cogview2.spi.sampling.ClusterChoice;
import org.cogview2.spi.sampling.RowDraws;
import org.cogview2.models.sampling.ClusterStrategy;
import org.cogview2.models.sampling.ClusterTable;
import org.cogview2.models.sampling.DrawSource;
import org.cogview2.models.transformer.SatTransformer;
import org.cogview2.spi.Backend;
import org.cogview2.spi.Shape;
import org.cogview2.spi.Tensor;
import org.cogview2.spi.TensorScope;

import java.util.ArrayList;
import java.util.List;
import java.util.function.Consumer;

/**
 * Stage 2: direct super-resolution (spec 02 §6). One forward pass over text, the 20x20 tokens and 3600
 * {@code <start_of_image>} slots gives logits for every 60x60 cell at once; each cell's token is drawn with the
 * cluster strategy at temperature 1. Samples go through the model at most 4 at a time, as in the official code,
 * but every sample is processed (the official loop drops the tail of a batch over 4 that is not a multiple of 4).
 */
public final class DirectSuperResolution implements SuperResolver {

    public static final int MAX_BATCH = 4;
    /** Grid cells whose logits are materialised at once (bounds the heap used for the 20000-wide rows). */
    private static final int CELLS_PER_BLOCK = 400;

    private final SatTransformer transformer;
    private final MixinWeights weights;
    private final Backend backend;
    private final ClusterTable clusters;
    private final int startOfImage;

    public DirectSuperResolution(SatTransformer transformer, MixinWeights weights, Backend backend, ClusterTable clusters, int startOfImage) {
        this.transformer = transformer;
        this.weights = weights;
        this.backend = backend;
        this.clusters = clusters;
        this.startOfImage = startOfImage;
    }

    @Override
    public List<TokenGrid> superResolve(int[] textIds, List<TokenGrid> lowResolution, DsrSampling sampling, long seed, RunControl control) {
        DrawSource draws = sampling.greedy() ? DrawSource.mode() : DrawSource.seeded(seed, 2);
        return superResolve(textIds, lowResolution, sampling, draws, control, null);
    }

    /**
     * With explicit draws and, unless {@code decisions} is null, a view of every cell's decision (tests, traces).
     * Cells are sampled by the backend's {@code sampleClusters} kernel (only ids are read back) unless the draws or the
     * decisions need the host: then the logits are read back and sampled here, to the same ids.
     */
    public List<TokenGrid> superResolve(int[] textIds, List<TokenGrid> lowResolution, DsrSampling sampling, DrawSource draws,
                                        RunControl control, Consumer<ClusterChoice> decisions) {
        DsrLayout layout = DsrLayout.of(textIds);
        for (int i = 0; i < lowResolution.size(); i++) {
            if (lowResolution.get(i).side() != DsrLayout.LOW_SIDE) {
                throw new InvalidInputException("direct super-resolution takes 20x20 grids, sample " + i + " is " + lowResolution.get(i));
            }
        }
        ClusterStrategy strategy = new ClusterStrategy(clusters, 1f, sampling.topClusters(), sampling.clusterTemperature());
        int chunks = (lowResolution.size() + MAX_BATCH - 1) / MAX_BATCH;
        List<TokenGrid> out = new ArrayList<>();
        for (int c = 0; c < chunks; c++) {
            control.step(Stage.SUPER_RESOLVE, c, chunks);
            List<TokenGrid> chunk = lowResolution.subList(c * MAX_BATCH, Math.min(lowResolution.size(), (c + 1) * MAX_BATCH));
            try (TensorScope scope = backend.newScope()) {
                Tensor hidden = forward(scope, layout, textIds, chunk);
                Tensor labels = decisions == null ? clusters.upload(scope) : null;
                for (int b = 0; b < chunk.size(); b++) {
                    long sample = (long) c * MAX_BATCH + b;
                    out.add(sampleGrid(hidden, b, strategy, labels, draws, sample, decisions));
                }
            }
        }
        control.listener().onProgress(Stage.SUPER_RESOLVE, chunks, chunks);
        return out;
    }

    /** The model inputs of one sample, for checking against the official layout: ids and positions (4096 each). */
    public int[][] inputs(int[] textIds, TokenGrid lowResolution) {
        DsrLayout layout = DsrLayout.of(textIds);
        return new int[][]{layout.ids(textIds, lowResolution.ids(), startOfImage), layout.positions()};
    }

    /** One forward pass; returns the final-LayerNorm output {@code [b, 4096, h]}. */
    public Tensor forward(TensorScope s, int[] textIds, List<TokenGrid> lowResolution) {
        return forward(s, DsrLayout.of(textIds), textIds, lowResolution);
    }

    private Tensor forward(TensorScope s, DsrLayout layout, int[] textIds, List<TokenGrid> lowResolution) {
        int batch = lowResolution.size();
        int[] ids = new int[batch * DsrLayout.LENGTH];
        for (int b = 0; b < batch; b++) {
            System.arraycopy(layout.ids(textIds, lowResolution.get(b).ids(), startOfImage), 0, ids, b * DsrLayout.LENGTH, DsrLayout.LENGTH);
        }
        SrPositionEmbedding positions = new SrPositionEmbedding(transformer, weights.extraPositions(), DsrLayout.LEVEL0);
        try (TensorScope tmp = s.backend().newScope()) {
            Tensor mask = tmp.fromFloats(layout.levelZeroMask(), Shape.of(DsrLayout.LEVEL0, DsrLayout.LEVEL0));
            Tensor x = positions.embed(tmp, ids, batch, layout.positions());
            Tensor h = transformer.layers(tmp, x, new DsrAttention(transformer, weights, mask));
            return transformer.finalNorm(s, h);
        }
    }

    /**
     * The fp32 image logits of grid cells {@code [from, from + count)} of sample {@code b}: cell k is sampled from
     * the logits at input index 496 + k (the official strategy's one-index shift cancels out, spec 02 §6.2).
     */
    public float[] cellLogits(Tensor hidden, int b, int from, int count) {
        try (TensorScope tmp = backend.newScope()) {
            Tensor row = transformer.kernels().slice(tmp, tmp.narrow(hidden, b, 1), 1, DsrLayout.LEVEL0 + from, count);
            return tmp.readFloats(transformer.imageLogits(tmp, row));
        }
    }

    private TokenGrid sampleGrid(Tensor hidden, int b, ClusterStrategy strategy, Tensor labels, DrawSource draws,
                                 long sample, Consumer<ClusterChoice> decisions) {
        int cells = DsrLayout.HIGH_SIDE * DsrLayout.HIGH_SIDE;
        int[] tokens = new int[cells];
        for (int from = 0; from < cells; from += CELLS_PER_BLOCK) {
            int count = Math.min(CELLS_PER_BLOCK, cells - from);
            RowDraws rows = labels == null ? null : draws.cells(sample, from, count);
            if (rows != null) {
                try (TensorScope tmp = backend.newScope()) {
                    Tensor row = transformer.kernels().slice(tmp, tmp.narrow(hidden, b, 1), 1, DsrLayout.LEVEL0 + from, count);
                    Tensor logits = tmp.reshape(transformer.imageLogits(tmp, row), Shape.of(count, SatTransformer.IMAGE_TOKENS));
                    int[] ids = tmp.readInts(transformer.kernels().sampleClusters(tmp, logits, labels, ClusterTable.CLUSTERS,
                            strategy.sampling(), rows));
                    System.arraycopy(ids, 0, tokens, from, count);
                }
                continue;
            }
            float[] logits = cellLogits(hidden, b, from, count);
            for (int i = 0; i < count; i++) {
                ClusterChoice choice = strategy.choose(logits, i * SatTransformer.IMAGE_TOKENS, sample, from + i, draws);
                if (decisions != null) {
                    decisions.accept(choice);
                }
                tokens[from + i] = choice.token();
            }
        }
        return TokenGrid.of(DsrLayout.HIGH_SIDE, tokens);
    }
}
