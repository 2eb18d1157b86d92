package org.cogview2.libtorch;

import ai.djl.ndarray.NDManager;
import org.cogview2.api.DsrSampling;
import org.cogview2.api.TokenGrid;
import org.cogview2.backend.reference.ReferenceBackend;
import org.cogview2.benchmarks.RandomModels;
import org.cogview2.benchmarks.StageBenchmarks;
import org.cogview2.checkpoint.StoredTensor;
import org.cogview2.checkpoint.TensorRequirements;
import org.cogview2.checkpoint.TransformerConfig;
import org.cogview2.models.sampling.ClusterTable;
import org.cogview2.models.sr.DirectSuperResolution;
import org.cogview2.models.sr.IterativeSuperResolution;
import org.cogview2.models.sr.LoparSchedule;
import org.cogview2.models.transformer.MixinWeights;
import org.cogview2.models.transformer.SatCheckpoints;
import org.cogview2.models.transformer.SatTransformer;
import org.cogview2.models.transformer.TransformerWeights;
import org.cogview2.spi.Backend;
import org.cogview2.spi.DType;
import org.cogview2.spi.Tensor;
import org.cogview2.spi.TensorScope;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.lang.foreign.ValueLayout;
import java.nio.ByteOrder;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.stream.IntStream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * {@link LibtorchSuperResolution} against {@link DirectSuperResolution} and {@link IterativeSuperResolution} on the
 * cpu-reference backend, with the same tiny random state dict (2 layers, hidden 64, 4 heads; weights std 0.1 so that
 * attention is far from uniform, random biases and LayerNorm affines): final hidden states of every position, image
 * logits of grid cells at the corners, edges, tile borders and inside, and the token choices of both samplers.
 */
class LibtorchSuperResolutionTest {

    private static final TransformerConfig CONFIG = RandomModels.config(2, 64, 4, 1024);
    private static final int SOI = StageBenchmarks.SOI;
    /** Relative to the largest magnitude of the reference output (observed below 1e-6; fp32 both sides, different summation orders; the erf GELU is 3e-4 off). */
    private static final double TOLERANCE = 1e-5;
    /** Corners, edges, cells next to the edges, 6x6 tile borders, interior. */
    private static final int[] CELLS = {0, 1, 59, 60, 61, 5, 6, 245, 366, 1800, 1859, 1830, 2165, 3540, 3541, 3599, 3598, 3539};

    private static final Backend BACKEND = new ReferenceBackend();
    private static final List<RandomModels> MODELS = new ArrayList<>();
    private static NDManager root;

    @BeforeAll
    static void start() {
        root = NDManager.newBaseManager("PyTorch");
    }

    @AfterAll
    static void stop() {
        root.close();
        MODELS.forEach(RandomModels::close);
    }

    /** A state dict of official keys with std 0.1 weights, and random (not zero) biases and LayerNorm parameters. */
    private static Map<String, StoredTensor> stateDict(TensorRequirements requirements, long seed) {
        RandomModels models = new RandomModels(seed);
        MODELS.add(models);
        Map<String, StoredTensor> dict = models.stateDict(requirements, DType.F16, 0.1f);
        SplittableRandom r = new SplittableRandom(seed + 100);
        ValueLayout.OfShort half = ValueLayout.JAVA_SHORT_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);
        for (StoredTensor t : dict.values()) {
            boolean bias = t.key().endsWith(".bias");
            boolean normWeight = t.key().contains("layernorm") && t.key().endsWith(".weight");
            if (bias || normWeight) {
                for (long i = 0; i < t.elementCount(); i++) {
                    float v = (float) (normWeight ? 1 + 0.2 * r.nextGaussian() : 0.1 * r.nextGaussian());
                    t.data().set(half, 2 * i, Float.floatToFloat16(v));
                }
            }
        }
        return dict;
    }

    private static SatTransformer reference(TensorScope scope, Map<String, StoredTensor> dict) {
        return new SatTransformer(CONFIG, TransformerWeights.upload(scope, dict, CONFIG), BACKEND.kernels());
    }

    private static int[] text(int n) {
        return Arrays.copyOf(StageBenchmarks.prompt(), n);
    }

    // ------------------------------------------------------------------ direct super-resolution

    @Test
    void dsrForwardMatchesReference() {
        Map<String, StoredTensor> dict = stateDict(TensorRequirements.cogview2Dsr(CONFIG, SatCheckpoints.NEW_SEQUENCE_LENGTH), 11);
        int[] text = text(7); // 89 pad slots
        int[] low = StageBenchmarks.randomTokens(400, 12);
        int[] otherLow = low.clone();
        otherLow[0] = (otherLow[0] + 1) % 20000;
        otherLow[399] = (otherLow[399] + 1) % 20000;
        float[] refHidden;
        float[] refLogits;
        float[] otherHidden;
        try (TensorScope scope = BACKEND.newScope()) {
            MixinWeights mixins = SatCheckpoints.uploadExtra(scope, dict, CONFIG, SatCheckpoints.Extra.DSR);
            DirectSuperResolution dsr = new DirectSuperResolution(reference(scope, dict), mixins, BACKEND, StageBenchmarks.clusters(), SOI);
            Tensor hidden = dsr.forward(scope, text, List.of(TokenGrid.of(20, low)));
            refHidden = scope.readFloats(hidden);
            refLogits = cellLogits(CELLS, cell -> dsr.cellLogits(hidden, 0, cell, 1));
            otherHidden = scope.readFloats(dsr.forward(scope, text, List.of(TokenGrid.of(20, otherLow))));
        }
        try (LibtorchSuperResolution lt = new LibtorchSuperResolution(root, CONFIG, dict)) {
            assertTrue(lt.isDirectSuperResolution());
            float[] hidden = lt.dsrHidden(text, low);
            assertClose("DSR hidden states", refHidden, hidden);
            assertClose("DSR logits", refLogits, lt.dsrLogits(text, low, CELLS));
            // The comparison can fail: two low-resolution tokens changed (corners) move the reference far beyond it.
            assertTrue(maxDiff(otherHidden, hidden) > 100 * TOLERANCE * maxAbs(refHidden),
                    "a changed input should be detected, diff " + maxDiff(otherHidden, hidden));
        }
    }

    @Test
    void dsrSamplingDrawsFromTheTopClusters() {
        Map<String, StoredTensor> dict = stateDict(TensorRequirements.cogview2Dsr(CONFIG, SatCheckpoints.NEW_SEQUENCE_LENGTH), 21);
        int[] text = text(16);
        int[] low = StageBenchmarks.randomTokens(400, 22);
        ClusterTable table = StageBenchmarks.clusters();
        try (LibtorchSuperResolution lt = new LibtorchSuperResolution(root, CONFIG, dict)) {
            float[] logits = lt.dsrLogits(text, low, CELLS);
            int live = root.getManagedArrays().size();
            int[] top1 = lt.superResolve(text, low, table, DsrSampling.clusters(1, 0.89f));
            int[] top100 = lt.superResolve(text, low, table, DsrSampling.clusters(100, 0.89f));
            assertEquals(live, root.getManagedArrays().size(), "tensors left behind by superResolve");
            for (int i = 0; i < CELLS.length; i++) {
                float[] mass = clusterMasses(logits, i, table);
                int[] order = IntStream.range(0, mass.length).boxed()
                        .sorted((a, b) -> Float.compare(mass[b], mass[a])).mapToInt(Integer::intValue).toArray();
                assertEquals(order[0], table.label(top1[CELLS[i]]), "top-1 cluster of cell " + CELLS[i]);
                int cluster = table.label(top100[CELLS[i]]);
                assertTrue(IntStream.of(order).limit(100).anyMatch(c -> c == cluster),
                        "cell " + CELLS[i] + " drew from cluster " + cluster + ", not among the top 100");
            }
            assertTrue(Arrays.stream(top100).allMatch(t -> t >= 0 && t < ClusterTable.TOKENS));
        }
    }

    private static float[] clusterMasses(float[] logits, int row, ClusterTable table) {
        int n = ClusterTable.TOKENS;
        double max = Double.NEGATIVE_INFINITY;
        for (int v = 0; v < n; v++) {
            max = Math.max(max, logits[row * n + v]);
        }
        float[] mass = new float[ClusterTable.CLUSTERS];
        for (int v = 0; v < n; v++) {
            mass[table.label(v)] += (float) Math.exp(logits[row * n + v] - max);
        }
        return mass;
    }

    // ------------------------------------------------------------------ iterative super-resolution

    @Test
    void iterSrForwardMatchesReference() {
        Map<String, StoredTensor> dict = stateDict(TensorRequirements.cogview2IterSr(CONFIG, SatCheckpoints.NEW_SEQUENCE_LENGTH), 31);
        int[] text = text(10); // 6 masked pad slots
        int[] grid = masked(StageBenchmarks.randomTokens(3600, 32), 1);
        int[] otherText = text.clone();
        otherText[9] = otherText[9] + 1;
        float[] refHidden;
        float[] refLogits;
        float[] otherHidden;
        try (TensorScope scope = BACKEND.newScope()) {
            MixinWeights mixins = SatCheckpoints.uploadExtra(scope, dict, CONFIG, SatCheckpoints.Extra.ITERSR);
            IterativeSuperResolution itersr = new IterativeSuperResolution(reference(scope, dict), mixins, BACKEND, SOI);
            Tensor hidden = itersr.forward(scope, text, new int[][] {grid});
            refHidden = scope.readFloats(hidden);
            refLogits = itersr.cellLogits(hidden, 0, CELLS);
            otherHidden = scope.readFloats(itersr.forward(scope, otherText, new int[][] {grid}));
        }
        try (LibtorchSuperResolution lt = new LibtorchSuperResolution(root, CONFIG, dict)) {
            float[] hidden = lt.iterSrHidden(text, grid);
            assertClose("iterative SR hidden states", refHidden, hidden);
            assertClose("iterative SR logits", refLogits, lt.iterSrLogits(text, grid, CELLS));
            assertTrue(maxDiff(otherHidden, hidden) > 100 * TOLERANCE * maxAbs(refHidden),
                    "a changed text id should be detected, diff " + maxDiff(otherHidden, hidden));
        }
    }

    @Test
    void loparPassResamplesExactlyItsCellsFromTheTopK() {
        Map<String, StoredTensor> dict = stateDict(TensorRequirements.cogview2IterSr(CONFIG, SatCheckpoints.NEW_SEQUENCE_LENGTH), 41);
        int[] text = text(16);
        int pass = 6; // top 10, 200 cells
        int[] grid = StageBenchmarks.randomTokens(3600, 42);
        int[] input = masked(grid, pass);
        int[] cells = IntStream.range(0, 3600).filter(c -> input[c] == SOI).toArray();
        float[] refLogits;
        try (TensorScope scope = BACKEND.newScope()) {
            MixinWeights mixins = SatCheckpoints.uploadExtra(scope, dict, CONFIG, SatCheckpoints.Extra.ITERSR);
            IterativeSuperResolution itersr = new IterativeSuperResolution(reference(scope, dict), mixins, BACKEND, SOI);
            refLogits = itersr.cellLogits(itersr.forward(scope, text, new int[][] {input}), 0, cells);
        }
        try (LibtorchSuperResolution lt = new LibtorchSuperResolution(root, CONFIG, dict)) {
            int live = root.getManagedArrays().size();
            int[] out = lt.refinePass(text, grid, pass);
            assertEquals(live, root.getManagedArrays().size(), "tensors left behind by refinePass");
            assertEquals(200, cells.length);
            int k = LoparSchedule.topK(pass);
            for (int c = 0; c < 3600; c++) {
                if (input[c] != SOI) {
                    assertEquals(grid[c], out[c], "cell " + c + " is not re-sampled in pass " + pass);
                }
            }
            for (int i = 0; i < cells.length; i++) {
                float chosen = refLogits[i * 20000 + out[cells[i]]];
                int above = 0;
                for (int v = 0; v < 20000; v++) {
                    above += refLogits[i * 20000 + v] > chosen ? 1 : 0;
                }
                assertTrue(above < k, "cell " + cells[i] + " drew a token ranked " + (above + 1) + " (top " + k + ")");
            }
            int[] refined = lt.refine(text, grid);
            assertEquals(live, root.getManagedArrays().size(), "tensors left behind by refine");
            for (int c = 0; c < 3600; c++) {
                int value = LoparSchedule.value(c / 60, c % 60);
                if (value <= 0) {
                    assertEquals(grid[c], refined[c], "cell " + c + " with schedule value " + value + " keeps its token");
                } else {
                    assertTrue(refined[c] >= 0 && refined[c] < 20000);
                }
            }
        }
    }

    /** The grid with the cells pass {@code pass} re-samples set to {@code <start_of_image>}. */
    private static int[] masked(int[] grid, int pass) {
        int[] out = grid.clone();
        for (int c = 0; c < out.length; c++) {
            if (LoparSchedule.remasked(pass, c, 60)) {
                out[c] = SOI;
            }
        }
        return out;
    }

    // ------------------------------------------------------------------ helpers

    private static float[] cellLogits(int[] cells, java.util.function.IntFunction<float[]> one) {
        float[] out = new float[cells.length * 20000];
        for (int i = 0; i < cells.length; i++) {
            System.arraycopy(one.apply(cells[i]), 0, out, i * 20000, 20000);
        }
        return out;
    }

    private static void assertClose(String what, float[] expected, float[] actual) {
        assertEquals(expected.length, actual.length, what + ": length");
        double scale = maxAbs(expected);
        double diff = maxDiff(expected, actual);
        System.out.printf("%s: max |diff| %.3g, max |ref| %.3g (relative %.3g)%n", what, diff, scale, diff / scale);
        assertTrue(diff <= TOLERANCE * scale, what + ": max |diff| " + diff + " over " + TOLERANCE + " x " + scale);
    }

    private static double maxAbs(float[] a) {
        double m = 0;
        for (float v : a) {
            m = Math.max(m, Math.abs(v));
        }
        return m;
    }

    private static double maxDiff(float[] a, float[] b) {
        double m = 0;
        for (int i = 0; i < a.length; i++) {
            m = Math.max(m, Math.abs(a[i] - b[i]));
        }
        return m;
    }
}
