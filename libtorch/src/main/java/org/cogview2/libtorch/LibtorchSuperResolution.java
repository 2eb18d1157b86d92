package org.cogview2.libtorch;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.index.NDIndex;
import ai.djl.ndarray.types.Shape;
import org.cogview2.api.DsrSampling;
import org.cogview2.api.SuperResolver;
import org.cogview2.benchmarks.RandomModels;
import org.cogview2.benchmarks.StageBenchmarks;
import org.cogview2.checkpoint.LayerNormOrder;
import org.cogview2.checkpoint.StoredTensor;
import org.cogview2.checkpoint.TensorRequirements;
import org.cogview2.checkpoint.TransformerConfig;
import org.cogview2.models.sampling.ClusterTable;
import org.cogview2.models.sr.LoparSchedule;
import org.cogview2.models.transformer.SatCheckpoints;
import org.cogview2.spi.DType;

import java.util.Arrays;
import java.util.Map;
import java.util.stream.IntStream;

/**
 * Stages 2 and 3 of CogView2 (direct super-resolution and iterative super-resolution with LoPAR) in libtorch through
 * DJL: the libtorch baselines of {@link StageBenchmarks#dsr} and {@link StageBenchmarks#iterativeSr}. One instance holds
 * the fp32 weights of one SR model (a DSR state dict, recognised by its {@code mixins.attention_plus} tensors, or an
 * iterative-SR one) and computes what {@code DirectSuperResolution} / {@code IterativeSuperResolution} compute
 * (spec 02 §5–§7), for one sample:
 * <ul>
 *   <li><b>DSR</b>: the 4096-long sequence {@code [0]*(96-n) | text | 20x20 | 3600 x <start_of_image>}, base and extra
 *   position tables; per layer, level 0 (first 496) runs standard attention with the base projections and the
 *   level-0 mask, level 1 (the grid) is projected by {@code attention_plus} and attends to a 5x5 window of the 20x20
 *   keys and a 9x5 window of its own grid in one softmax; then the fp32 image head and, for every cell, the cluster
 *   strategy at temperature 1 in batched libtorch ops.</li>
 *   <li><b>Iterative SR</b>: the 3616-long sequence {@code [0]*(16-m) | text | grid}; one projection; the 16 text slots
 *   attend among themselves (pads masked), each cell to all text keys (pads at -10000) and its 9x5 window; six
 *   passes of the {@link LoparSchedule}, each re-masking its cells with {@code <start_of_image>}, one forward and a
 *   top-k draw for exactly those cells.</li>
 * </ul>
 * The 2D local attention (a custom CUDA kernel in the original) is {@link LibtorchSrLocalAttention}: 6x6 query tiles,
 * each a small batched dense attention over the key block its windows cover, with index and bias tables built once.
 * Measured for one DSR layer's grid attention (8 heads of 32, libtorch on 2 threads of a shared 2-core x86 machine):
 * tiles 21 ms; per-query window gathers ({@code unfold} style, 45 + 25 keys gathered for every query, then batched
 * matrix-vector products) 175 ms; dense 3600 x 4000 attention with an additive -10000 mask 367 ms.
 *
 * <p>Weights are converted once to fp32, outside the timed region: libtorch's fast CPU path (MKL/oneDNN GEMM and
 * vectorised kernels) is fp32, and that is what a PyTorch user runs on a CPU ({@code model.float()}); our backends
 * read the fp16 weights directly, so the ratio compares each engine on its own best CPU path. As in our stage
 * benchmarks, the timed region is one cold run (no warm-up). Draws use libtorch's generator ({@code torch.rand}) and
 * inverse-CDF sampling, not our seeded Philox draws: the same work, different random choices.
 *
 * <p>Every pass runs in a sub-manager closed when it ends, and every layer and every block of 400 cells in a
 * sub-manager of that (DJL puts each result into the manager of its first operand), so nothing outlives a pass
 * but its result.
 */
public final class LibtorchSuperResolution implements AutoCloseable {

    /** DSR sequence (spec 02 §6.1): 96 text slots, 400 low-resolution cells, 3600 grid cells. */
    static final int DSR_TEXT_SLOTS = 96;
    static final int DSR_LEVEL0 = 496;
    static final int DSR_LENGTH = 4096;
    /** Iterative-SR sequence (spec 02 §7.2): 16 text slots, then the grid. */
    static final int ITERSR_TEXT_SLOTS = 16;
    static final int CELLS = LibtorchSrLocalAttention.SIDE * LibtorchSrLocalAttention.SIDE;
    static final int ITERSR_LENGTH = ITERSR_TEXT_SLOTS + CELLS;
    /** Grid cells whose 20000 logits are materialised at once, as in our implementation. */
    private static final int CELLS_PER_BLOCK = 400;

    /** A layer's attention hook: from the normalised input to the output after the dense projection(s). */
    @FunctionalInterface
    private interface Attention {
        NDArray apply(int layer, LibtorchSrOps.Layer weights, NDArray normalized);
    }

    private final NDManager manager;
    private final TransformerConfig config;
    private final LibtorchSrOps.Weights weights;
    private final LibtorchSrLocalAttention local;
    private final int startOfImage;
    private final int heads;
    private final int headDim;

    /** With {@code <start_of_image>} = {@link StageBenchmarks#SOI}. */
    public LibtorchSuperResolution(NDManager parent, TransformerConfig config, Map<String, StoredTensor> stateDict) {
        this(parent, config, stateDict, StageBenchmarks.SOI);
    }

    /**
     * Converts the SR state dict to fp32 libtorch tensors held by a sub-manager of {@code parent} that
     * {@link #close()} frees, and builds the local-attention tables.
     */
    public LibtorchSuperResolution(NDManager parent, TransformerConfig config, Map<String, StoredTensor> stateDict, int startOfImage) {
        this(Owned.load(parent.newSubManager(), stateDict), config, startOfImage);
    }

    /** A manager and the parameters in it (or owned elsewhere). */
    private record Owned(NDManager manager, LibtorchParams params) {
        static Owned load(NDManager manager, Map<String, StoredTensor> stateDict) {
            return new Owned(manager, StateDictParams.load(manager, stateDict));
        }
    }

    private LibtorchSuperResolution(Owned owned, TransformerConfig config, int startOfImage) {
        this.manager = owned.manager();
        this.config = config;
        this.weights = LibtorchSrOps.load(owned.params(), config);
        this.local = new LibtorchSrLocalAttention(manager);
        this.startOfImage = startOfImage;
        this.heads = config.numAttentionHeads();
        this.headDim = config.headDim();
        long extraRows = weights.extraPositions().getShape().get(0);
        if (config.maxSequenceLength() + extraRows < 1024 + CELLS || config.maxSequenceLength() > 1024) {
            throw new IllegalArgumentException("the grid positions 1024..4623 need max_sequence_length <= 1024 and an extra"
                    + " table reaching 4624, got " + config.maxSequenceLength() + " + " + extraRows);
        }
    }

    /**
     * An SR graph over parameters the caller owns (a trainer's store): differentiable through
     * {@link #dsrHiddenStates}, {@link #iterSrHiddenStates} and {@link #imageLogits(NDArray, int)}. {@link #close()}
     * frees only the local-attention tables.
     */
    public static LibtorchSuperResolution over(NDManager parent, TransformerConfig config, LibtorchParams params, int startOfImage) {
        return new LibtorchSuperResolution(new Owned(parent.newSubManager(), params), config, startOfImage);
    }

    /** Whether this is a DSR model (it has the {@code attention_plus} mixin). */
    public boolean isDirectSuperResolution() {
        return weights.hasAttentionPlus();
    }

    // ================================================================== direct super-resolution

    /** One DSR forward: the final-LayerNorm output {@code [4096, h]} of one sample, row-major. */
    public float[] dsrHidden(int[] textIds, int[] lowResolution) {
        try (NDManager step = manager.newSubManager()) {
            return dsrForward(step, textIds, lowResolution).toFloatArray();
        }
    }

    /** The fp32 image logits {@code [cells.length, 20000]} of the given grid cells after one DSR forward. */
    public float[] dsrLogits(int[] textIds, int[] lowResolution, int[] cells) {
        try (NDManager step = manager.newSubManager()) {
            NDArray hidden = dsrForward(step, textIds, lowResolution);
            return cellLogits(hidden, rowsOf(step, DSR_LEVEL0, cells)).toFloatArray();
        }
    }

    /**
     * Stage 2 for one sample: one forward, then every cell's token from its logits (cell k reads input index
     * 496 + k) with the cluster strategy at temperature 1, 400 cells at a time.
     *
     * @return the 3600 tokens of the 60x60 grid, raster order
     */
    public int[] superResolve(int[] textIds, int[] lowResolution, ClusterTable table, DsrSampling sampling) {
        requireDirect(true);
        try (NDManager step = manager.newSubManager()) {
            LibtorchClusterSampler sampler = new LibtorchClusterSampler(step, table, 1f,
                    sampling.topClusters(), sampling.clusterTemperature());
            NDArray hidden = dsrForward(step, textIds, lowResolution);
            int[] tokens = new int[CELLS];
            for (int from = 0; from < CELLS; from += CELLS_PER_BLOCK) {
                int count = Math.min(CELLS_PER_BLOCK, CELLS - from);
                NDIndex rows = new NDIndex(":, {}:{}", DSR_LEVEL0 + from, DSR_LEVEL0 + from + count);
                NDArray chosen = LibtorchSrOps.scoped(hidden, h -> {
                    NDArray logits = imageLogits(h.get(rows));
                    return sampler.choose(logits, uniforms(logits));
                });
                copyTokens(chosen, tokens, IntStream.range(from, from + count).toArray());
            }
            return tokens;
        }
    }

    /**
     * The DSR forward of one sample in {@code step}: the final-LayerNorm output {@code [1, 4096, h]}; rows
     * {@code 496 + k} are the 60x60 grid's cells (raster order). Recorded by autograd when run in a gradient collector.
     */
    public NDArray dsrHiddenStates(NDManager step, int[] textIds, int[] lowResolution) {
        return dsrForward(step, textIds, lowResolution);
    }

    /**
     * The iterative-SR forward of one sample in {@code step}: {@code [1, 3616, h]}; rows {@code 16 + k} are the grid's
     * cells. Recorded by autograd when run in a gradient collector.
     */
    public NDArray iterSrHiddenStates(NDManager step, int[] textIds, int[] grid) {
        return iterSrForward(step, textIds, grid);
    }

    /**
     * Logits of the image ids {@code [0, codes)} for hidden rows {@code [.., h]}: the tied head sliced in this call,
     * so that its gradient reaches the word embeddings.
     */
    public NDArray imageLogits(NDArray hiddenRows, int codes) {
        try (NDArray rows = weights.wordEmbeddings().get("0:" + codes)) {
            return LibtorchOps.linear(hiddenRows, rows);
        }
    }

    /** {@code [1, 4096, h]} in {@code step}. */
    private NDArray dsrForward(NDManager step, int[] textIds, int[] lowResolution) {
        requireDirect(true);
        int n = textIds.length;
        if (n > SuperResolver.MAX_TEXT_IDS || lowResolution.length != 400) {
            throw new IllegalArgumentException("DSR takes at most " + SuperResolver.MAX_TEXT_IDS + " text ids and 400 tokens, got "
                    + n + " and " + lowResolution.length);
        }
        int pads = DSR_TEXT_SLOTS - n;
        long[] ids = new long[DSR_LENGTH];
        long[] positions = new long[DSR_LENGTH];
        for (int i = 0; i < n; i++) {
            ids[pads + i] = textIds[i];
            positions[pads + i] = i;
        }
        for (int k = 0; k < 400; k++) {
            ids[DSR_TEXT_SLOTS + k] = lowResolution[k];
            positions[DSR_TEXT_SLOTS + k] = 513 + k;
        }
        for (int k = 0; k < CELLS; k++) {
            ids[DSR_LEVEL0 + k] = startOfImage;
            positions[DSR_LEVEL0 + k] = 1024 + k;
        }
        // Level-0 mask (spec 02 §5.7): pads and text do not see the image; nobody but the pads sees the pads.
        float[] mask = new float[DSR_LEVEL0 * DSR_LEVEL0];
        for (int i = 0; i < DSR_LEVEL0; i++) {
            for (int j = 0; j < DSR_LEVEL0; j++) {
                boolean hidden = (i < DSR_TEXT_SLOTS && j >= DSR_TEXT_SLOTS) || (i >= pads && j < pads);
                mask[i * DSR_LEVEL0 + j] = hidden ? 0f : 1f;
            }
        }
        LibtorchSrOps.Mask levelZero = LibtorchSrOps.Mask.of(step, mask, new Shape(DSR_LEVEL0, DSR_LEVEL0));
        NDArray x = embed(step, ids, positions, DSR_LEVEL0);
        return transformer(x, (l, w, a) -> {
            NDArray a0 = a.get(":, :" + DSR_LEVEL0);
            NDArray a1 = a.get(":, " + DSR_LEVEL0 + ":");
            LibtorchSrOps.Heads low = LibtorchSrOps.queryKeyValue(a0, w.queryKeyValue(), heads, headDim);
            LibtorchSrOps.Heads high = LibtorchSrOps.queryKeyValue(a1, weights.plusQueryKeyValue().get(l), heads, headDim);
            NDArray context0 = LibtorchSrOps.standardAttention(low, levelZero);
            // The cross window reads the last 400 level-0 keys and values: the 20x20 image.
            NDIndex image = new NDIndex(":, :, " + DSR_TEXT_SLOTS + ":");
            NDArray context1 = local.crossAndSelf(high.query(), high.key(), high.value(), low.key().get(image), low.value().get(image));
            NDArray out0 = LibtorchSrOps.linear(LibtorchSrOps.mergeHeads(context0), w.attentionDense());
            NDArray out1 = LibtorchSrOps.linear(LibtorchSrOps.mergeHeads(context1), weights.plusDense().get(l));
            return out0.concat(out1, 1);
        });
    }

    // ================================================================== iterative super-resolution

    /** One iterative-SR forward over a grid (cells to re-sample already {@code <start_of_image>}): {@code [3616, h]}. */
    public float[] iterSrHidden(int[] textIds, int[] grid) {
        try (NDManager step = manager.newSubManager()) {
            return iterSrForward(step, textIds, grid).toFloatArray();
        }
    }

    /** The fp32 image logits {@code [cells.length, 20000]} of the given cells (cell k reads index 16 + k). */
    public float[] iterSrLogits(int[] textIds, int[] grid, int[] cells) {
        try (NDManager step = manager.newSubManager()) {
            NDArray hidden = iterSrForward(step, textIds, grid);
            return cellLogits(hidden, rowsOf(step, ITERSR_TEXT_SLOTS, cells)).toFloatArray();
        }
    }

    /** Stage 3 for one sample: the six LoPAR passes over the 60x60 grid; returns the refined grid. */
    public int[] refine(int[] textIds, int[] grid) {
        int[] current = grid.clone();
        for (int pass = 1; pass <= LoparSchedule.PASSES; pass++) {
            current = refinePass(textIds, current, pass);
        }
        return current;
    }

    /**
     * One LoPAR pass ({@code pass} in 1..6): the cells with schedule value {@code >= pass} are set to
     * {@code <start_of_image>}, one forward runs, and each of them gets a token drawn from its top-k logits
     * ({@link LoparSchedule#topK}); the other cells keep theirs.
     */
    public int[] refinePass(int[] textIds, int[] grid, int pass) {
        requireDirect(false);
        int[] masked = IntStream.range(0, CELLS)
                .filter(cell -> LoparSchedule.remasked(pass, cell, LibtorchSrLocalAttention.SIDE)).toArray();
        int[] next = grid.clone();
        for (int cell : masked) {
            next[cell] = startOfImage;
        }
        int topK = LoparSchedule.topK(pass);
        try (NDManager step = manager.newSubManager()) {
            NDArray hidden = iterSrForward(step, textIds, next);
            for (int from = 0; from < masked.length; from += CELLS_PER_BLOCK) {
                int[] cells = Arrays.copyOfRange(masked, from, Math.min(masked.length, from + CELLS_PER_BLOCK));
                NDArray rows = rowsOf(step, ITERSR_TEXT_SLOTS, cells);
                NDArray chosen = LibtorchSrOps.scoped(hidden, h -> {
                    NDArray logits = cellLogits(h, rows);
                    return LibtorchSrSampling.topK(logits, topK, uniforms(logits));
                });
                copyTokens(chosen, next, cells);
            }
        }
        return next;
    }

    /** {@code [1, 3616, h]} in {@code step}. */
    private NDArray iterSrForward(NDManager step, int[] textIds, int[] grid) {
        requireDirect(false);
        if (grid.length != CELLS) {
            throw new IllegalArgumentException("iterative SR takes 3600 tokens, got " + grid.length);
        }
        // Only the first 16 text ids are used (spec 02 §7.2).
        int m = Math.min(ITERSR_TEXT_SLOTS, textIds.length);
        int pads = ITERSR_TEXT_SLOTS - m;
        long[] ids = new long[ITERSR_LENGTH];
        long[] positions = new long[ITERSR_LENGTH];
        float[] keyMask = new float[ITERSR_TEXT_SLOTS];
        for (int i = 0; i < m; i++) {
            ids[pads + i] = textIds[i];
            positions[pads + i] = i;
            keyMask[pads + i] = 1f;
        }
        for (int k = 0; k < CELLS; k++) {
            ids[ITERSR_TEXT_SLOTS + k] = grid[k];
            positions[ITERSR_TEXT_SLOTS + k] = 1024 + k;
        }
        // The key mask broadcasts over query rows: the 16x16 text attention and the grid's text scores alike.
        LibtorchSrOps.Mask textMask = LibtorchSrOps.Mask.of(step, keyMask, new Shape(ITERSR_TEXT_SLOTS));
        NDArray x = embed(step, ids, positions, ITERSR_TEXT_SLOTS);
        NDIndex text = new NDIndex(":, :, :" + ITERSR_TEXT_SLOTS);
        NDIndex cells = new NDIndex(":, :, " + ITERSR_TEXT_SLOTS + ":");
        return transformer(x, (l, w, a) -> {
            LibtorchSrOps.Heads h = LibtorchSrOps.queryKeyValue(a, w.queryKeyValue(), heads, headDim);
            NDArray textKeys = h.key().get(text);
            NDArray textValues = h.value().get(text);
            NDArray context0 = LibtorchSrOps.standardAttention(
                    new LibtorchSrOps.Heads(h.query().get(text), textKeys, textValues), textMask);
            NDArray context1 = local.textAndSelf(h.query().get(cells), h.key().get(cells), h.value().get(cells),
                    textKeys, textValues, textMask);
            return LibtorchSrOps.linear(LibtorchSrOps.mergeHeads(context0.concat(context1, 2)), w.attentionDense());
        });
    }

    // ================================================================== shared

    /**
     * {@code W_word[ids] + positions}: indices before {@code split} look up the base position table, the rest the
     * extra table at {@code position - max_sequence_length} (spec 02 §5.6). {@code [1, L, h]}.
     */
    private NDArray embed(NDManager step, long[] ids, long[] positions, int split) {
        long[] base = Arrays.copyOf(positions, split);
        long[] extra = new long[positions.length - split];
        for (int i = 0; i < extra.length; i++) {
            extra[i] = positions[split + i] - config.maxSequenceLength();
        }
        NDArray word = LibtorchOps.embedding(step.create(ids, new Shape(1, ids.length)), weights.wordEmbeddings());
        NDArray position = LibtorchOps.embedding(step.create(base), weights.positionEmbeddings())
                .concat(LibtorchOps.embedding(step.create(extra), weights.extraPositions()), 0);
        return word.addi(position);
    }

    /** All layers then the final LayerNorm; each layer's temporaries are freed when it ends. */
    private NDArray transformer(NDArray x, Attention attention) {
        NDArray h = x;
        for (int l = 0; l < config.numLayers(); l++) {
            int layer = l;
            h = LibtorchSrOps.scoped(h, in -> layer(layer, in, attention));
        }
        return LibtorchSrOps.layerNorm(h, weights.finalNorm());
    }

    /** {@code layer_forward_default} in the configured LayerNorm order. */
    private NDArray layer(int l, NDArray x, Attention attention) {
        LibtorchSrOps.Layer w = weights.layers().get(l);
        LayerNormOrder order = config.layerNormOrder();
        NDArray a = LibtorchSrOps.layerNorm(x, w.inputNorm());
        NDArray o = attention.apply(l, w, a);
        if (order == LayerNormOrder.SANDWICH) {
            o = LibtorchSrOps.layerNorm(o, w.thirdNorm());
        }
        NDArray x1 = (order == LayerNormOrder.POST ? a : x).add(o);
        NDArray m = LibtorchSrOps.layerNorm(x1, w.postAttentionNorm());
        NDArray f = LibtorchSrOps.linear(LibtorchOps.gelu(LibtorchSrOps.linear(m, w.mlpUp())), w.mlpDown());
        if (order == LayerNormOrder.SANDWICH) {
            f = LibtorchSrOps.layerNorm(f, w.fourthNorm());
        }
        return f.addi(order == LayerNormOrder.POST ? m : x1);
    }

    /** int64 sequence indices {@code offset + cells[i]}. */
    private static NDArray rowsOf(NDManager step, int offset, int[] cells) {
        return step.create(Arrays.stream(cells).asLongStream().map(c -> c + offset).toArray());
    }

    /** fp32 image logits {@code [n, 20000]} of the hidden rows picked by {@code rows} (int64 {@code [n]}). */
    private NDArray cellLogits(NDArray hidden, NDArray rows) {
        return imageLogits(hidden.get(new NDIndex(":, {}", rows)));
    }

    /** fp32 image logits {@code [n, 20000]} of {@code picked} {@code [1, n, h]}: the tied head over ids below 20000. */
    private NDArray imageLogits(NDArray picked) {
        return LibtorchOps.linear(picked.squeeze(0), weights.imageHead());
    }

    /** Two uniforms per row in [0, 1) from libtorch's generator, next to the logits. */
    private static NDArray uniforms(NDArray logits) {
        return logits.getManager().randomUniform(0f, 1f, new Shape(logits.getShape().get(0), 2));
    }

    private static void copyTokens(NDArray chosen, int[] into, int[] cells) {
        long[] values = chosen.toLongArray();
        chosen.close();
        for (int i = 0; i < cells.length; i++) {
            into[cells[i]] = (int) values[i];
        }
    }

    private void requireDirect(boolean direct) {
        if (isDirectSuperResolution() != direct) {
            throw new IllegalStateException("this is " + (direct ? "not " : "") + "a direct super-resolution model");
        }
    }

    @Override
    public void close() {
        manager.close();
    }

    // ================================================================== benchmarks

    /**
     * The libtorch run of {@link StageBenchmarks#dsr}: the same random model ({@link RandomModels} seed 2, fp16 state
     * dict converted to fp32 before the clock starts), text, 20x20 tokens and sampling setting (100 clusters,
     * second temperature 0.89), timed from the forward pass to the 3600th token.
     */
    public static StageBenchmarks.Result benchmarkDsr(StageBenchmarks.Size size) {
        TransformerConfig config = size.config(1024);
        try (NDManager root = NDManager.newBaseManager("PyTorch");
             LibtorchSuperResolution dsr = load(root, config, 2,
                     TensorRequirements.cogview2Dsr(config, SatCheckpoints.NEW_SEQUENCE_LENGTH))) {
            ClusterTable table = StageBenchmarks.clusters();
            int[] low = StageBenchmarks.randomTokens(400, 3);
            int[] text = Arrays.copyOf(StageBenchmarks.prompt(), StageBenchmarks.TEXT);
            long start = System.nanoTime();
            dsr.superResolve(text, low, table, DsrSampling.clusters(100, 0.89f));
            return new StageBenchmarks.Result("stage 2 direct SR", (System.nanoTime() - start) / 1e9, CELLS, "tokens", 1);
        }
    }

    /**
     * The libtorch run of {@link StageBenchmarks#iterativeSr}: {@link RandomModels} seed 3, the same text and 60x60
     * start grid, timed over the six LoPAR passes.
     */
    public static StageBenchmarks.Result benchmarkIterativeSr(StageBenchmarks.Size size) {
        TransformerConfig config = size.config(1024);
        try (NDManager root = NDManager.newBaseManager("PyTorch");
             LibtorchSuperResolution itersr = load(root, config, 3,
                     TensorRequirements.cogview2IterSr(config, SatCheckpoints.NEW_SEQUENCE_LENGTH))) {
            int[] grid = StageBenchmarks.randomTokens(CELLS, 4);
            int[] text = Arrays.copyOf(StageBenchmarks.prompt(), StageBenchmarks.TEXT);
            long start = System.nanoTime();
            itersr.refine(text, grid);
            return new StageBenchmarks.Result("stage 3 iterative SR (LoPAR)", (System.nanoTime() - start) / 1e9, CELLS,
                    "tokens", LoparSchedule.PASSES);
        }
    }

    /** The state dict {@code RandomModels.transformer} builds for this seed, converted; the fp16 host copy is freed. */
    private static LibtorchSuperResolution load(NDManager root, TransformerConfig config, long seed, TensorRequirements requirements) {
        RandomModels models = new RandomModels(seed);
        try {
            return new LibtorchSuperResolution(root, config, models.stateDict(requirements, DType.F16, 0.02f));
        } finally {
            models.close();
        }
    }
}
