package org.cogview2.libtorch;

import org.cogview2.spi.sampling.Picker;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import org.cogview2.api.RunControl;
import org.cogview2.api.Stage;
import org.cogview2.backend.reference.ReferenceBackend;
import org.cogview2.benchmarks.RandomModels;
import org.cogview2.benchmarks.StageBenchmarks;
import org.cogview2.checkpoint.StoredTensor;
import org.cogview2.checkpoint.TensorRequirements;
import org.cogview2.checkpoint.TransformerConfig;
import org.cogview2.models.coglm.FillingSequence;
import org.cogview2.models.coglm.SequenceLayout;
import org.cogview2.models.coglm.Stage1Layout;
import org.cogview2.models.coglm.TokenChooser;
import org.cogview2.models.sampling.ClusterStrategy;
import org.cogview2.models.sampling.ClusterTable;
import org.cogview2.models.sampling.DrawSource;
import org.cogview2.models.transformer.SatTransformer;
import org.cogview2.models.transformer.TransformerWeights;
import org.cogview2.spi.DType;
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

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * {@link LibtorchCogLm} against our {@link SatTransformer} on the cpu-reference backend, run by our
 * {@link FillingSequence} over the stage-1 layout, on a tiny random model whose LayerNorm gains and biases are
 * random too (so that no parameter can be dropped unnoticed): the shared batch-1 prefill, then decode steps with the
 * KV cache broadcast to a batch of 3. Both sides compute in fp32 from the same fp16 weights.
 */
class LibtorchCogLmTest {

    private static final int STEPS = 8;
    private static final int BATCH = 3;
    /** Max abs difference of logits allowed, relative to the largest logit magnitude (at least 1). */
    private static final float TOLERANCE = 1e-5f;

    private static final TransformerConfig CONFIG = new StageBenchmarks.Size(2, 64, 4).config(1024);
    private static final int[] PROMPT = StageBenchmarks.prompt();

    private static RandomModels models;
    private static Map<String, StoredTensor> stateDict;
    private static ReferenceBackend backend;
    private static TensorScope weights;
    private static SatTransformer reference;
    private static NDManager manager;
    private static LibtorchCogLm libtorch;

    @BeforeAll
    static void models() {
        models = new RandomModels(7);
        stateDict = models.stateDict(TensorRequirements.satTransformer(CONFIG), DType.F16, 0.05f);
        randomizeNormsAndBiases(stateDict, new SplittableRandom(8));
        backend = new ReferenceBackend(1);
        weights = backend.newScope();
        reference = new SatTransformer(CONFIG, TransformerWeights.upload(weights, stateDict, CONFIG), backend.kernels());
        manager = NDManager.newBaseManager("PyTorch");
        libtorch = new LibtorchCogLm(manager, CONFIG, stateDict);
    }

    @AfterAll
    static void close() {
        libtorch.close();
        manager.close();
        weights.close();
        backend.close();
        models.close();
    }

    @Test
    void greedyDecodingGivesTheSameLogitsAndTokens() {
        Stage1Layout layout = Stage1Layout.of(PROMPT, StageBenchmarks.SOI, 1.4f);
        Steps ours = referenceRun(layout, (logits, offset, sample, step) -> argmax(logits, offset));
        Steps theirs = libtorchRun(layout, LibtorchCogLm.greedy());

        assertEquals(STEPS, theirs.logits.size());
        for (int s = 0; s < STEPS; s++) {
            assertEquals(ours.rows.get(s), theirs.rows.get(s), "rows of logits at step " + s);
            assertClose(ours.logits.get(s), theirs.logits.get(s), "logits of step " + s);
            assertArrayEquals(ours.chosen.get(s), theirs.chosen.get(s), "greedy tokens of step " + s);
        }
        // The samples share the prefill, hence the first token; the batch rows must still be computed per row.
        assertTrue(ours.logits.get(1).length == BATCH * SatTransformer.IMAGE_TOKENS);
    }

    @Test
    void decodeStepsLeaveNoTensorsBehind() {
        // Every decode step does the same work: if any tensor outlived its step, the count would grow.
        Stage1Layout layout = Stage1Layout.of(PROMPT, StageBenchmarks.SOI, 1.4f);
        List<Integer> live = new ArrayList<>();
        libtorch.generate(PROMPT, layout, BATCH, STEPS, LibtorchCogLm.greedy(),
                (step, logits, rows, chosen) -> live.add(manager.getManagedArrays().size()));
        int before = manager.getManagedArrays().size();
        for (int s = 2; s < STEPS; s++) {
            assertEquals(live.get(1), live.get(s), "live tensors at step " + s + " (step 1: " + live.get(1) + ")");
        }
        libtorch.generate(PROMPT, layout, BATCH, STEPS, LibtorchCogLm.greedy(), null);
        assertEquals(before, manager.getManagedArrays().size(), "live tensors after a whole run");
    }

    @Test
    void clusterSamplingWithTheSameUniformsChoosesTheSameTokens() {
        Stage1Layout layout = Stage1Layout.of(PROMPT, StageBenchmarks.SOI, 1.4f);
        ClusterTable table = StageBenchmarks.clusters();
        ClusterStrategy strategy = new ClusterStrategy(table, 1.15f, 16, 1f);
        DrawSource draws = (sample, step, purpose, w, length) -> inverseCdf(uniform(sample, step, purpose.ordinal()), w, length);
        Steps ours = referenceRun(layout, (logits, offset, sample, step) -> strategy.choose(logits, offset, sample, step, draws).token());

        LibtorchCogLm.Uniforms uniforms = (step, batch, stepIndex) -> {
            float[] u = new float[batch * 2];
            for (int b = 0; b < batch; b++) {
                u[2 * b] = uniform(b, stepIndex, 0);
                u[2 * b + 1] = uniform(b, stepIndex, 1);
            }
            return step.create(u, new Shape(batch, 2));
        };
        Steps theirs = libtorchRun(layout, LibtorchCogLm.clusters(manager, table, 1.15f, 16, 1f, uniforms));

        for (int s = 0; s < STEPS; s++) {
            assertArrayEquals(ours.chosen.get(s), theirs.chosen.get(s), "cluster-sampled tokens of step " + s);
        }
        // Different uniforms must give different tokens somewhere (the draws are really used).
        assertTrue(Arrays.stream(ours.chosen.toArray(int[][]::new)).flatMapToInt(Arrays::stream).distinct().count() > STEPS);
    }

    @Test
    void theComparisonDetectsAMissingTextBias() {
        // Sanity of the tolerance: the same model without attn_plus differs from ours by far more than it.
        Steps ours = referenceRun(Stage1Layout.of(PROMPT, StageBenchmarks.SOI, 1.4f), (l, o, sample, step) -> argmax(l, o));
        Steps noBias = libtorchRun(Stage1Layout.of(PROMPT, StageBenchmarks.SOI, 0f), LibtorchCogLm.greedy());
        float diff = maxAbsDiff(ours.logits.get(0), noBias.logits.get(0));
        assertTrue(diff > 100 * TOLERANCE * scale(ours.logits.get(0)), "text bias changes the logits by only " + diff);
    }

    // ------------------------------------------------------------------ runs

    /** Logits, row counts and choices of the first {@link #STEPS} steps. */
    private record Steps(List<float[]> logits, List<Integer> rows, List<int[]> chosen) {
        Steps() {
            this(new ArrayList<>(), new ArrayList<>(), new ArrayList<>());
        }

        void add(int step, float[] l, int r, int[] c) {
            assertEquals(logits.size(), step, "steps in order");
            logits.add(l.clone());
            rows.add(r);
            chosen.add(c.clone());
        }
    }

    /** Our FillingSequence over the stage-1 layout cut after the first {@link #STEPS} image positions. */
    private static Steps referenceRun(Stage1Layout layout, TokenChooser chooser) {
        int length = PROMPT.length + STEPS;
        int[] seq = Arrays.copyOf(PROMPT, length);
        Arrays.fill(seq, PROMPT.length, length, -1);
        SequenceLayout cut = new SequenceLayout() {
            @Override
            public int length() {
                return length;
            }

            @Override
            public int position(int i) {
                return layout.position(i);
            }

            @Override
            public boolean visible(int query, int key) {
                return layout.visible(query, key);
            }

            @Override
            public float bias(int query, int key) {
                return layout.bias(query, key);
            }
        };
        Steps out = new Steps();
        new FillingSequence(reference, backend).fill(seq, cut, 0, BATCH, chooser, RunControl.none(), Stage.GENERATE,
                out::add);
        return out;
    }

    private static Steps libtorchRun(Stage1Layout layout, LibtorchCogLm.Chooser chooser) {
        Steps out = new Steps();
        int[][] tokens = libtorch.generate(PROMPT, layout, BATCH, STEPS, chooser, out::add);
        for (int s = 0; s < STEPS; s++) {
            for (int b = 0; b < BATCH; b++) {
                assertEquals(out.chosen.get(s)[b], tokens[b][s], "returned token of sample " + b + ", step " + s);
            }
        }
        return out;
    }

    // ------------------------------------------------------------------ helpers

    /** Norm gains around 1 and small biases instead of RandomModels' exact 1 and 0, written as fp16. */
    static void randomizeNormsAndBiases(Map<String, StoredTensor> stateDict, SplittableRandom random) {
        ValueLayout.OfShort f16 = ValueLayout.JAVA_SHORT_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);
        for (StoredTensor t : stateDict.values()) {
            boolean gain = t.key().contains("norm") && t.key().endsWith(".weight");
            if (!gain && !t.key().endsWith(".bias")) {
                continue;
            }
            for (long i = 0; i < t.elementCount(); i++) {
                float v = gain ? 1f + 0.2f * (float) random.nextGaussian() : 0.05f * (float) random.nextGaussian();
                t.data().set(f16, 2 * i, Float.floatToFloat16(v));
            }
        }
    }

    /** A fixed uniform per (sample, step, purpose), exactly representable in fp32 for both sides. */
    private static float uniform(long sample, int step, int purpose) {
        return (float) new SplittableRandom(1_000_003L * step + 1009L * sample + purpose).nextDouble();
    }

    /** Our seeded draws' rule with a given {@code u}: the first index whose cumulative weight exceeds u * total. */
    private static int inverseCdf(float u, float[] weights, int length) {
        return Picker.inverseCdf(u, weights, length);
    }

    private static int argmax(float[] logits, int offset) {
        int best = 0;
        for (int v = 1; v < SatTransformer.IMAGE_TOKENS; v++) {
            if (logits[offset + v] > logits[offset + best]) {
                best = v;
            }
        }
        return best;
    }

    private static void assertClose(float[] expected, float[] actual, String what) {
        assertEquals(expected.length, actual.length, what + ": length");
        float diff = maxAbsDiff(expected, actual);
        float allowed = TOLERANCE * scale(expected);
        assertTrue(diff <= allowed, what + ": max abs difference " + diff + " > " + allowed);
    }

    private static float scale(float[] values) {
        float max = 1f;
        for (float v : values) {
            max = Math.max(max, Math.abs(v));
        }
        return max;
    }

    private static float maxAbsDiff(float[] a, float[] b) {
        float max = 0f;
        for (int i = 0; i < a.length; i++) {
            max = Math.max(max, Math.abs(a[i] - b[i]));
        }
        return max;
    }
}
