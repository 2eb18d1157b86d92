package org.cogview2.benchmarks;

import org.cogview2.api.DsrSampling;
import org.cogview2.api.RunControl;
import org.cogview2.api.Stage;
import org.cogview2.api.TokenGrid;
import org.cogview2.checkpoint.TransformerConfig;
import org.cogview2.models.coglm.CogLm;
import org.cogview2.models.coglm.FillingSequence;
import org.cogview2.models.coglm.SequenceLayout;
import org.cogview2.models.coglm.Stage1Layout;
import org.cogview2.models.coglm.StepObserver;
import org.cogview2.models.coglm.TokenChooser;
import org.cogview2.models.sampling.ClusterStrategy;
import org.cogview2.models.sampling.ClusterTable;
import org.cogview2.models.sampling.DrawSource;
import org.cogview2.models.sr.DirectSuperResolution;
import org.cogview2.models.sr.IterativeSuperResolution;
import org.cogview2.models.sr.LoparSchedule;
import org.cogview2.models.transformer.SatCheckpoints;
import org.cogview2.models.transformer.SatTransformer;
import org.cogview2.spi.Backend;
import org.cogview2.spi.DType;
import org.cogview2.spi.Shape;
import org.cogview2.spi.Tensor;
import org.cogview2.spi.TensorScope;
import org.cogview2.tokenizer.icetk.image.HierarchicalVqVae;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteOrder;
import java.util.Arrays;
import java.util.List;
import java.util.SplittableRandom;

/**
 * Whole-stage measurements on random-weight models of a chosen size (weights fp16, as released): CogLM stage 1,
 * direct super-resolution, iterative super-resolution (LoPAR) against plain autoregressive generation of the same
 * 3600 tokens, and VQ-VAE decoding at the released width. Each returns the wall time and the work done.
 */
public final class StageBenchmarks {

    public static final int SOI = 23000;
    public static final int TEXT = 16;

    private StageBenchmarks() {
    }

    /**
     * @param units            work done (tokens, passes, pictures)
     * @param sequentialPasses forward passes that had to run one after another
     */
    public record Result(String name, double seconds, double units, String unit, int sequentialPasses) {
        public double throughput() {
            return units / seconds;
        }
    }

    /** The model size the stage benchmarks use. */
    public record Size(int layers, int hidden, int heads) {
        public TransformerConfig config(int maxSequenceLength) {
            return RandomModels.config(layers, hidden, heads, maxSequenceLength);
        }

        @Override
        public String toString() {
            return layers + " layers, hidden " + hidden + ", " + heads + " heads";
        }
    }

    /** The 16 text ids and {@code <start_of_image>} every stage benchmark uses. */
    public static int[] prompt() {
        int[] ids = new int[TEXT + 1];
        for (int i = 0; i < TEXT; i++) {
            ids[i] = 20006 + 37 * i;
        }
        ids[TEXT] = SOI;
        return ids;
    }

    /** A random cluster table (the official one is not needed to time sampling). */
    public static ClusterTable clusters() {
        int[] labels = new int[ClusterTable.TOKENS];
        SplittableRandom r = new SplittableRandom(5);
        for (int v = 0; v < labels.length; v++) {
            labels[v] = r.nextInt(ClusterTable.CLUSTERS);
        }
        return ClusterTable.of(labels);
    }

    /**
     * One {@code linear} ({@code y[m,n] = x[m,k] . w[n,k]^T}, fp32 activations, weights fp16 or fp32, no bias) on the
     * backend, in GFLOP/s: the best of enough repetitions to fill about half a second, after one warm-up product.
     */
    public static Result linear(Backend backend, int m, int n, int k, boolean halfWeights) {
        SplittableRandom r = new SplittableRandom(6);
        float[] x = new float[m * k];
        for (int i = 0; i < x.length; i++) {
            x[i] = (float) r.nextGaussian();
        }
        try (Arena arena = Arena.ofConfined(); TensorScope scope = backend.newScope()) {
            DType dtype = halfWeights ? DType.F16 : DType.F32;
            MemorySegment w = arena.allocate((long) n * k * dtype.byteSize(), 8);
            for (long i = 0; i < (long) n * k; i++) {
                float v = (float) (r.nextGaussian() * 0.02);
                if (halfWeights) {
                    w.set(ValueLayout.JAVA_SHORT_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN), 2 * i, Float.floatToFloat16(v));
                } else {
                    w.set(ValueLayout.JAVA_FLOAT_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN), 4 * i, v);
                }
            }
            Tensor xt = scope.fromFloats(x, Shape.of(m, k));
            Tensor wt = scope.upload(w, dtype, Shape.of(n, k));
            double flops = 2.0 * m * n * k;
            double best = timeBest(() -> {
                try (TensorScope step = backend.newScope()) {
                    // Reading one row back waits for a device backend to finish, at almost no cost.
                    Tensor y = backend.kernels().linear(step, xt, wt, null);
                    step.readFloats(step.narrow(y, 0, 1));
                }
            });
            return new Result("linear " + m + "x" + n + "x" + k + (halfWeights ? " fp16 weights" : " fp32"), best, flops / 1e9, "GFLOP", 1);
        }
    }

    /** Best wall time of one warm-up then repetitions until about half a second (at least three) have run. */
    public static double timeBest(Runnable work) {
        work.run();
        double best = Double.MAX_VALUE;
        long spent = 0;
        for (int rep = 0; rep < 3 || spent < 500_000_000L; rep++) {
            long start = System.nanoTime();
            work.run();
            long t = System.nanoTime() - start;
            spent += t;
            best = Math.min(best, t / 1e9);
        }
        return best;
    }

    /** Stage 1: {@code batch} samples of 400 tokens with the cluster strategy; tokens per second. */
    public static Result coglm(Backend backend, Size size, int batch) {
        RandomModels models = new RandomModels(1);
        try (TensorScope weights = backend.newScope()) {
            SatTransformer t = models.transformer(size.config(1024), SatCheckpoints.Extra.NONE, backend, weights).transformer();
            ClusterTable table = clusters();
            CogLm coglm = new CogLm(t, backend, table, SOI, batch);
            ClusterStrategy strategy = new ClusterStrategy(table, 1.15f, 16, 1f);
            DrawSource draws = DrawSource.seeded(1);
            TokenChooser chooser = (l, offset, sample, step) -> strategy.choose(l, offset, sample, step, draws).token();
            int[] prompt = prompt();
            Stage1Layout layout = Stage1Layout.of(prompt, SOI, 1.4f);
            long start = System.nanoTime();
            coglm.generateBatch(prompt, layout, 0, batch, chooser, RunControl.none(), StepObserver.NONE);
            double seconds = (System.nanoTime() - start) / 1e9;
            return new Result("stage 1 CogLM, batch " + batch, seconds, 400.0 * batch, "tokens", 400);
        } finally {
            models.close();
        }
    }

    /** Stage 2: one sample's 20x20 → 60x60 pass, sampling included (on the backend). */
    public static Result dsr(Backend backend, Size size) {
        return dsr(backend, size, false);
    }

    /**
     * The same draws as the stages' seeded ones, but only the host can make them: the logits are read back and
     * sampled on one thread, as every stage did before the backends sampled (the comparison for the sampling kernels).
     */
    private static DrawSource hostOnly(DrawSource draws) {
        return draws::draw;
    }

    /** {@link #dsr(Backend, Size)}, with {@code hostDraws} the cells sampled on the host from read-back logits. */
    public static Result dsr(Backend backend, Size size, boolean hostDraws) {
        RandomModels models = new RandomModels(2);
        try (TensorScope weights = backend.newScope()) {
            RandomModels.SatTransformerWithMixins m = models.transformer(size.config(1024), SatCheckpoints.Extra.DSR, backend, weights);
            DirectSuperResolution dsr = new DirectSuperResolution(m.transformer(), m.mixins(), backend, clusters(), SOI);
            TokenGrid low = TokenGrid.of(20, randomTokens(400, 3));
            long start = System.nanoTime();
            DrawSource draws = DrawSource.seeded(1, 2);
            if (hostDraws) {
                // Warm the JIT with an untimed pass, so that this and the dsr-pass after it are both measured warm.
                dsr.superResolve(Arrays.copyOf(prompt(), TEXT), List.of(low), DsrSampling.clusters(100, 0.89f), draws,
                        RunControl.none(), null);
                start = System.nanoTime();
            }
            dsr.superResolve(Arrays.copyOf(prompt(), TEXT), List.of(low), DsrSampling.clusters(100, 0.89f),
                    hostDraws ? hostOnly(draws) : draws, RunControl.none(), null);
            return new Result("stage 2 direct SR", (System.nanoTime() - start) / 1e9, 3600, "tokens", 1);
        } finally {
            models.close();
        }
    }

    /** Stage 3: one sample's six LoPAR passes over the 60x60 grid. */
    public static Result iterativeSr(Backend backend, Size size) {
        return iterativeSr(backend, size, false);
    }

    /** {@link #iterativeSr(Backend, Size)}, with {@code hostDraws} the cells sampled on the host from read-back logits. */
    public static Result iterativeSr(Backend backend, Size size, boolean hostDraws) {
        RandomModels models = new RandomModels(3);
        try (TensorScope weights = backend.newScope()) {
            RandomModels.SatTransformerWithMixins m = models.transformer(size.config(1024), SatCheckpoints.Extra.ITERSR, backend, weights);
            IterativeSuperResolution itersr = new IterativeSuperResolution(m.transformer(), m.mixins(), backend, SOI);
            TokenGrid grid = TokenGrid.of(60, randomTokens(3600, 4));
            long start = System.nanoTime();
            DrawSource draws = DrawSource.seeded(1, 3);
            if (hostDraws) {
                // Warm the JIT with an untimed run, so that this and the itersr after it are both measured warm.
                itersr.refine(Arrays.copyOf(prompt(), TEXT), List.of(grid), null, draws, RunControl.none(),
                        IterativeSuperResolution.PassObserver.NONE);
                start = System.nanoTime();
            }
            itersr.refine(Arrays.copyOf(prompt(), TEXT), List.of(grid), null, hostDraws ? hostOnly(draws) : draws,
                    RunControl.none(), IterativeSuperResolution.PassObserver.NONE);
            return new Result("stage 3 iterative SR (LoPAR)", (System.nanoTime() - start) / 1e9, 3600, "tokens", LoparSchedule.PASSES);
        } finally {
            models.close();
        }
    }

    /**
     * The baseline LoPAR replaces: the same 3600 tokens generated one by one with a KV cache by a transformer of the
     * same size (16 text positions, then 3600 causal positions).
     */
    public static Result autoregressive3600(Backend backend, Size size) {
        RandomModels models = new RandomModels(3);
        try (TensorScope weights = backend.newScope()) {
            SatTransformer t = models.transformer(size.config(TEXT + 3600), SatCheckpoints.Extra.NONE, backend, weights).transformer();
            int[] seq = new int[TEXT + 3600];
            System.arraycopy(prompt(), 0, seq, 0, TEXT);
            Arrays.fill(seq, TEXT, seq.length, -1);
            SequenceLayout causal = new SequenceLayout() {
                @Override
                public int length() {
                    return seq.length;
                }

                @Override
                public int position(int i) {
                    return i;
                }

                @Override
                public boolean visible(int query, int key) {
                    return key <= query || key < TEXT;
                }

                @Override
                public float bias(int query, int key) {
                    return 0f;
                }
            };
            TokenChooser argmax = (l, offset, sample, step) -> {
                int best = 0;
                for (int v = 1; v < SatTransformer.IMAGE_TOKENS; v++) {
                    if (l[offset + v] > l[offset + best]) {
                        best = v;
                    }
                }
                return best;
            };
            long start = System.nanoTime();
            new FillingSequence(t, backend).fill(seq, causal, 0, 1, argmax, RunControl.none(), Stage.GENERATE, StepObserver.NONE);
            return new Result("autoregressive, 3600 tokens", (System.nanoTime() - start) / 1e9, 3600, "tokens", 3600);
        } finally {
            models.close();
        }
    }

    /**
     * VQ-VAE decoding of one {@code side x side} grid to {@code 8 side} square pixels at the released width, after an
     * untimed decode of a {@value #WARM_UP_SIDE}-square grid (as in a pipeline, where the stages before the decode
     * have warmed the JIT; the baselines warm up the same way).
     */
    public static Result decode(Backend backend, int side) {
        RandomModels models = new RandomModels(4);
        try (HierarchicalVqVae vq = models.releasedImageCodec(backend)) {
            vq.decode(randomTokens(WARM_UP_SIDE * WARM_UP_SIDE, 6), 1, WARM_UP_SIDE, 1);
            int[] ids = randomTokens(side * side, 5);
            long start = System.nanoTime();
            vq.decode(ids, 1, side, 1);
            return new Result("VQ-VAE decode " + side + "x" + side + " -> " + 8 * side + "x" + 8 * side + " (released width)",
                    (System.nanoTime() - start) / 1e9, 1, "pictures", 1);
        } finally {
            models.close();
        }
    }

    /** Side of the untimed warm-up decode. */
    public static final int WARM_UP_SIDE = 8;

    /** {@code n} random image ids (seeded). */
    public static int[] randomTokens(int n, long seed) {
        SplittableRandom r = new SplittableRandom(seed);
        int[] ids = new int[n];
        for (int i = 0; i < n; i++) {
            ids[i] = r.nextInt(20000);
        }
        return ids;
    }
}
