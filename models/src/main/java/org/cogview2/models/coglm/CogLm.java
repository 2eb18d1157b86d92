package org.cogview2.models.coglm;

import org.cogview2.api.CoglmSampling;
import org.cogview2.api.InvalidInputException;
import org.cogview2.api.LanguageModel;
import org.cogview2.api.RunControl;
import org.cogview2.api.Stage;
import org.cogview2.api.TokenGrid;
import org.cogview2.models.sampling.ClusterStrategy;
import org.cogview2.models.sampling.ClusterTable;
import org.cogview2.models.sampling.DrawSource;
import org.cogview2.models.transformer.SatTransformer;
import org.cogview2.spi.Backend;
import org.cogview2.spi.Kernels;
import org.cogview2.spi.Tensor;
import org.cogview2.spi.TensorScope;

import java.util.ArrayList;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;

/**
 * Stage 1 of CogView2: CogLM writes the 400 tokens of a 20x20 grid after the prompt (spec 02 §2): the
 * {@link Stage1Layout} filled by {@link FillingSequence} — 400 forward passes per batch (one prefill, 399 steps).
 *
 * <p>Thread-safe: concurrent calls share only the read-only weights; each call allocates its own cache and
 * temporaries and frees them when it returns, also on cancellation or failure.
 */
public final class CogLm implements LanguageModel {

    /** Samples per forward pass ({@code --max-inference-batch-size} of the official script). */
    public static final int DEFAULT_MAX_BATCH = 8;

    private final SatTransformer transformer;
    private final Backend backend;
    private final ClusterTable clusters;
    private final int startOfImage;
    private final int maxBatch;

    public CogLm(SatTransformer transformer, Backend backend, ClusterTable clusters, int startOfImage, int maxBatch) {
        if (maxBatch < 1) {
            throw new IllegalArgumentException("max batch must be positive, got " + maxBatch);
        }
        this.transformer = transformer;
        this.backend = backend;
        this.clusters = clusters;
        this.startOfImage = startOfImage;
        this.maxBatch = maxBatch;
    }

    public SatTransformer transformer() {
        return transformer;
    }

    public int startOfImage() {
        return startOfImage;
    }

    @Override
    public List<TokenGrid> generate(int[] promptIds, CoglmSampling sampling, int count, long seed, RunControl control) {
        return generate(promptIds, sampling, count, sampling.greedy() ? DrawSource.mode() : DrawSource.seeded(seed, 1), control);
    }

    /** Generation with explicit draws (tests inject mode or replayed draws). */
    public List<TokenGrid> generate(int[] promptIds, CoglmSampling sampling, int count, DrawSource draws, RunControl control) {
        if (count < 1) {
            throw new InvalidInputException("the number of samples must be at least 1, got " + count);
        }
        Stage1Layout layout = Stage1Layout.of(promptIds, startOfImage, sampling.textBias());
        TokenChooser chooser = chooser(sampling, draws);
        List<TokenGrid> grids = new ArrayList<>(count);
        for (int first = 0; first < count; first += maxBatch) {
            int batch = Math.min(maxBatch, count - first);
            int[][] rows = generateBatch(promptIds, layout, first, batch, chooser, control, StepObserver.NONE);
            for (int[] row : rows) {
                grids.add(TokenGrid.of(20, java.util.Arrays.copyOfRange(row, row.length - Stage1Layout.IMAGE_TOKENS, row.length)));
            }
        }
        return grids;
    }

    /** One batch of full sequences (prompt and 400 image tokens), samples numbered {@code firstSample ..}. */
    public int[][] generateBatch(int[] promptIds, Stage1Layout layout, long firstSample, int batch, TokenChooser chooser,
                                 RunControl control, StepObserver observer) {
        return new FillingSequence(transformer, backend).fill(Stage1Layout.sequence(promptIds), layout, firstSample, batch,
                chooser, control, Stage.GENERATE, observer);
    }

    /** The token chooser of a sampling setting: argmax, or the cluster strategy with the given draws. */
    public TokenChooser chooser(CoglmSampling sampling, DrawSource draws) {
        if (sampling.greedy()) {
            return (logits, offset, sample, step) -> argmax(logits, offset, clusters.usableTokens());
        }
        ClusterStrategy strategy = new ClusterStrategy(clusters, sampling.temperature(), sampling.topClusters(),
                sampling.clusterTemperature());
        return new ClusterChooser(strategy, draws);
    }

    /** The cluster strategy, on the backend ({@code sampleClusters}) when the draws allow it, else on the host. */
    private record ClusterChooser(ClusterStrategy strategy, DrawSource draws) implements TokenChooser {

        @Override
        public int choose(float[] logits, int offset, long sample, int step) {
            return strategy.choose(logits, offset, sample, step, draws).token();
        }

        @Override
        public OnBackend onBackend() {
            if (draws.rows(new long[]{0}, new int[]{0}) == null) {
                return null;
            }
            // The cluster table is uploaded once per generation, into the generation's scope.
            Map<TensorScope, Tensor> labels = new IdentityHashMap<>();
            return (run, scope, logits, firstSample, step) -> {
                Tensor table;
                synchronized (labels) {
                    table = labels.computeIfAbsent(run, strategy.clusters()::upload);
                }
                int rows = logits.shape().dim(0);
                long[] samples = new long[rows];
                int[] steps = new int[rows];
                for (int r = 0; r < rows; r++) {
                    samples[r] = firstSample + r;
                    steps[r] = step;
                }
                Kernels k = scope.backend().kernels();
                return scope.readInts(k.sampleClusters(scope, logits, table, ClusterTable.CLUSTERS, strategy.sampling(),
                        draws.rows(samples, steps)));
            };
        }
    }

    static int argmax(float[] values, int offset, int n) {
        int best = 0;
        for (int i = 1; i < n; i++) {
            if (values[offset + i] > values[offset + best]) {
                best = i;
            }
        }
        return best;
    }
}
