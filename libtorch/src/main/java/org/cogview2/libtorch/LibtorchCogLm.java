package org.cogview2.libtorch;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.index.NDIndex;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import org.cogview2.benchmarks.RandomModels;
import org.cogview2.benchmarks.StageBenchmarks;
import org.cogview2.checkpoint.StoredTensor;
import org.cogview2.checkpoint.TensorRequirements;
import org.cogview2.checkpoint.TransformerConfig;
import org.cogview2.models.coglm.Stage1Layout;
import org.cogview2.models.sampling.ClusterTable;
import org.cogview2.spi.DType;

import java.util.Map;

/**
 * Stage 1 of CogView2 (CogLM writing the 400 tokens of a 20x20 grid) in libtorch through DJL: the libtorch baseline
 * of {@link StageBenchmarks#coglm}. It does the same work as {@code CogLm.generateBatch}: one batch-1 prefill of the
 * prompt shared by every sample, then 399 single-token forward passes of the whole batch with a KV cache, the
 * {@link Stage1Layout} positions, mask and text bias ({@code attn_plus}), the fp32 image-logit head, and at each of
 * the 400 steps a token per sample chosen with the cluster strategy, all in batched libtorch ops.
 *
 * <p>Weights are converted once to fp32, outside the timed region: libtorch's fast CPU path (MKL/oneDNN GEMM and
 * vectorised kernels) is fp32, and that is what a PyTorch user runs on a CPU ({@code model.float()}). Our backends
 * read the fp16 weights directly; the ratio therefore compares each engine on its own best CPU path.
 *
 * <p>Every pass runs in a sub-manager of its own that is closed when the pass ends (DJL puts each result into the
 * manager of its first operand), so no tensor outlives its step except the cache, the next logits and the output.
 */
public final class LibtorchCogLm implements AutoCloseable {

    /** The uniforms of one step's draws: fp32 {@code [B, 2]} in [0, 1), column 0 for the cluster, 1 for the token. */
    @FunctionalInterface
    public interface Uniforms {
        NDArray draw(NDManager step, int batch, int stepIndex);

        /** libtorch's own generator ({@code torch.rand}), as a PyTorch sampler draws. */
        static Uniforms random() {
            return (step, batch, stepIndex) -> step.randomUniform(0f, 1f, new Shape(batch, 2));
        }
    }

    /** Chooses the next token of every row from fp32 logits {@code [B, 20000]}; returns int64 {@code [B]}. */
    @FunctionalInterface
    public interface Chooser {
        NDArray choose(NDArray logits, int stepIndex);
    }

    /** Sees the logits ({@code [rows, 20000]}, rows 1 at the shared prefill step) and choices of every step. */
    @FunctionalInterface
    public interface StepListener {
        void onStep(int stepIndex, float[] logits, int rows, int[] chosen);
    }

    private final NDManager manager;
    private final LibtorchTransformer transformer;

    /**
     * Converts the {@code transformer.*} tensors of {@code stateDict} to fp32 libtorch tensors, held by a
     * sub-manager of {@code parent} that {@link #close()} frees.
     */
    public LibtorchCogLm(NDManager parent, TransformerConfig config, Map<String, StoredTensor> stateDict) {
        this.manager = parent.newSubManager();
        this.transformer = new LibtorchTransformer(config, LibtorchWeights.load(manager, config, stateDict));
    }

    /** Greedy decoding: the argmax of each row's image logits. */
    public static Chooser greedy() {
        return (logits, stepIndex) -> LibtorchClusterSampler.argmax(logits);
    }

    /**
     * The cluster strategy ({@code ClusterStrategy}: temperature, top clusters, second temperature) with the given
     * uniforms; its tables belong to {@code manager}.
     */
    public static Chooser clusters(NDManager manager, ClusterTable table, float temperature, int topClusters,
                                   float clusterTemperature, Uniforms uniforms) {
        LibtorchClusterSampler sampler = new LibtorchClusterSampler(manager, table, temperature, topClusters, clusterTemperature);
        return (logits, stepIndex) -> sampler.choose(logits,
                uniforms.draw(logits.getManager(), (int) logits.getShape().get(0), stepIndex));
    }

    /**
     * Generates the first {@code steps} image tokens (400 for the whole grid) of {@code batch} samples after
     * {@code promptIds} (text ids and {@code <start_of_image>}).
     *
     * @param listener sees every step's logits (copied out of libtorch), or null
     * @return the chosen tokens, {@code [batch][steps]}
     */
    public int[][] generate(int[] promptIds, Stage1Layout layout, int batch, int steps, Chooser chooser, StepListener listener) {
        int prompt = promptIds.length;
        int length = layout.length();
        if (steps < 1 || prompt + steps > length) {
            throw new IllegalArgumentException(steps + " steps after " + prompt + " prompt ids in a layout of " + length);
        }
        TransformerConfig c = transformer.config();
        int headDim = c.headDim();
        // The last position is never fed back: the cache holds at most length - 1 positions.
        int capacity = length - 1;
        try (NDManager run = manager.newSubManager()) {
            LayoutTensors tables = LayoutTensors.of(run, layout);
            NDArray out = run.zeros(new Shape(batch, steps), DataType.INT64);
            LibtorchKvCache cache;
            NDArray logits;
            try (NDManager step = run.newSubManager()) {
                LibtorchKvCache prefill = new LibtorchKvCache(step, c.numLayers(), 1, c.numAttentionHeads(), capacity, headDim);
                long[] ids = new long[prompt];
                for (int i = 0; i < prompt; i++) {
                    ids[i] = promptIds[i];
                }
                logits = forward(step, tables, layout, prefill, step.create(ids, new Shape(1, prompt)), 0);
                cache = prefill.broadcast(run, batch);
                logits.attach(run);
            }
            for (int s = 0; s < steps; s++) {
                try (NDManager step = run.newSubManager()) {
                    logits.attach(step); // freed with this step
                    long rows = logits.getShape().get(0);
                    // The shared prefill logits serve every sample; each draws its own token from them.
                    NDArray batchLogits = rows == batch ? logits : logits.broadcast(batch, logits.getShape().get(1));
                    NDArray tokens = chooser.choose(batchLogits, s);
                    out.set(new NDIndex(":, {}", s), tokens);
                    if (listener != null) {
                        listener.onStep(s, logits.toFloatArray(), (int) rows, toInts(tokens.toLongArray()));
                    }
                    if (s + 1 < steps) {
                        logits = forward(step, tables, layout, cache, tokens.reshape(batch, 1), prompt + s);
                        logits.attach(run);
                    }
                }
            }
            long[] flat = out.toLongArray();
            int[][] result = new int[batch][steps];
            for (int b = 0; b < batch; b++) {
                for (int s = 0; s < steps; s++) {
                    result[b][s] = (int) flat[b * steps + s];
                }
            }
            return result;
        }
    }

    /** A forward pass over indices {@code [from, from + n)} of every row; image logits {@code [B, 20000]}. */
    private NDArray forward(NDManager step, LayoutTensors tables, Stage1Layout layout, LibtorchKvCache cache, NDArray ids, int from) {
        int n = (int) ids.getShape().get(1);
        int keys = from + n;
        NDIndex rows = new NDIndex("{}:{}, :{}", from, keys, keys);
        NDArray bias = tables.bias().get(step, rows);
        // As in FillingSequence: a single row that sees every earlier key skips the masking.
        LibtorchTransformer.Attention attention = layout.allVisible(from, n)
                ? LibtorchTransformer.Attention.unmasked(bias)
                : new LibtorchTransformer.Attention(bias, tables.maskMul().get(step, rows), tables.maskAdd().get(step, rows));
        NDArray positions = tables.positions().get(step, new NDIndex("{}:{}", from, keys));
        return transformer.forward(step, ids, positions, attention, cache);
    }

    /**
     * The layout as tensors over the whole sequence, sliced per pass: position ids, the {@code attn_plus} bias, and
     * SAT's masking {@code S * M - 10000 * (1 - M)} as a factor {@code M} and a term {@code -10000 * (1 - M)}.
     */
    private record LayoutTensors(NDArray positions, NDArray bias, NDArray maskMul, NDArray maskAdd) {

        static LayoutTensors of(NDManager manager, Stage1Layout layout) {
            int n = layout.length();
            long[] positions = new long[n];
            for (int i = 0; i < n; i++) {
                positions[i] = layout.position(i);
            }
            float[] mask = layout.maskRows(0, n);
            float[] add = new float[mask.length];
            for (int i = 0; i < mask.length; i++) {
                add[i] = -10000f * (1f - mask[i]);
            }
            Shape square = new Shape(n, n);
            return new LayoutTensors(manager.create(positions), manager.create(layout.biasRows(0, n), square),
                    manager.create(mask, square), manager.create(add, square));
        }
    }

    private static int[] toInts(long[] values) {
        int[] out = new int[values.length];
        for (int i = 0; i < values.length; i++) {
            out[i] = (int) values[i];
        }
        return out;
    }

    @Override
    public void close() {
        manager.close();
    }

    /**
     * The libtorch run of {@link StageBenchmarks#coglm}: the same random model (fp16 state dict of
     * {@link RandomModels} seed 1, converted to fp32 before the clock starts), prompt, layout (text bias 1.4), cluster
     * table and sampling setting (temperature 1.15, 16 clusters, second temperature 1), timed from the prefill to the
     * 400th token of {@code batch} samples. Uses DJL's PyTorch engine with the thread counts it was started with.
     */
    public static StageBenchmarks.Result benchmark(StageBenchmarks.Size size, int batch) {
        TransformerConfig config = size.config(1024);
        try (NDManager manager = NDManager.newBaseManager("PyTorch")) {
            RandomModels models = new RandomModels(1);
            LibtorchCogLm coglm;
            try {
                Map<String, StoredTensor> stateDict = models.stateDict(TensorRequirements.satTransformer(config), DType.F16, 0.02f);
                coglm = new LibtorchCogLm(manager, config, stateDict);
            } finally {
                models.close(); // the fp32 copies are libtorch's; the fp16 host arrays can go
            }
            try (coglm) {
                Chooser chooser = clusters(manager, StageBenchmarks.clusters(), 1.15f, 16, 1f, Uniforms.random());
                int[] prompt = StageBenchmarks.prompt();
                Stage1Layout layout = Stage1Layout.of(prompt, StageBenchmarks.SOI, 1.4f);
                long start = System.nanoTime();
                coglm.generate(prompt, layout, batch, Stage1Layout.IMAGE_TOKENS, chooser, null);
                double seconds = (System.nanoTime() - start) / 1e9;
                return new StageBenchmarks.Result("stage 1 CogLM, batch " + batch, seconds, 400.0 * batch, "tokens", 400);
            }
        }
    }
}
