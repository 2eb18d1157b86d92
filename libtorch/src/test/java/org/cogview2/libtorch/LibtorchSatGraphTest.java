package org.cogview2.libtorch;

import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import ai.djl.training.GradientCollector;
import org.cogview2.backend.reference.ReferenceBackend;
import org.cogview2.benchmarks.RandomModels;
import org.cogview2.benchmarks.StageBenchmarks;
import org.cogview2.checkpoint.StoredTensor;
import org.cogview2.checkpoint.TensorRequirements;
import org.cogview2.checkpoint.TransformerConfig;
import org.cogview2.models.coglm.Stage1Layout;
import org.cogview2.models.transformer.CachedSelfAttention;
import org.cogview2.models.transformer.KvCache;
import org.cogview2.models.transformer.SatTransformer;
import org.cogview2.models.transformer.TransformerWeights;
import org.cogview2.spi.DType;
import org.cogview2.spi.Tensor;
import org.cogview2.spi.TensorScope;
import org.junit.jupiter.api.Test;

import java.util.Map;
import java.util.SplittableRandom;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The differentiable whole-sequence SAT graph against our {@link SatTransformer} on the CPU reference backend, over
 * the stage-1 layout (bidirectional text with its additive bias, causal image tokens), batch 2: the tied-head logits
 * of every position within 1e-5 relative; and every parameter receives a finite, non-zero gradient.
 */
class LibtorchSatGraphTest {

    private static final TransformerConfig CONFIG = new StageBenchmarks.Size(2, 64, 4).config(1024);
    private static final int TEXT = 5;
    private static final int LENGTH = TEXT + 1 + 10;
    private static final int BATCH = 2;

    @Test
    void logitsOfEveryPositionMatchTheReferenceAndEveryParameterGetsAGradient() {
        RandomModels models = new RandomModels(31);
        try {
            Map<String, StoredTensor> sd = models.stateDict(TensorRequirements.satTransformer(CONFIG), DType.F16, 0.05f);
            LibtorchCogLmTest.randomizeNormsAndBiases(sd, new SplittableRandom(32));
            Stage1Layout layout = new Stage1Layout(TEXT, 1.4f);
            int[] ids = new int[BATCH * LENGTH];
            SplittableRandom r = new SplittableRandom(33);
            for (int i = 0; i < ids.length; i++) {
                int p = i % LENGTH;
                ids[i] = p < TEXT ? 20000 + r.nextInt(CONFIG.vocabSize() - 20000) : p == TEXT ? StageBenchmarks.SOI : r.nextInt(20000);
            }
            int[] positions = layout.positions(0, LENGTH);
            float[] mask = layout.maskRows(0, LENGTH);
            float[] bias = layout.biasRows(0, LENGTH);

            float[] expected;
            ReferenceBackend backend = new ReferenceBackend(1);
            try (TensorScope w = backend.newScope(); TensorScope s = backend.newScope()) {
                SatTransformer reference = new SatTransformer(CONFIG, TransformerWeights.upload(w, sd, CONFIG), backend.kernels());
                Tensor x = reference.embed(s, s.fromInts(ids, org.cogview2.spi.Shape.of(BATCH, LENGTH)),
                        s.fromInts(positions, org.cogview2.spi.Shape.of(LENGTH)));
                KvCache cache = new KvCache(s, backend.kernels(), CONFIG.numLayers(), BATCH, LENGTH, CONFIG.hiddenSize());
                CachedSelfAttention attention = new CachedSelfAttention(reference, cache,
                        s.fromFloats(mask, org.cogview2.spi.Shape.of(LENGTH, LENGTH)),
                        s.fromFloats(bias, org.cogview2.spi.Shape.of(LENGTH, LENGTH)));
                Tensor h = reference.layers(s, x, attention);
                expected = s.readFloats(reference.vocabularyLogits(s, reference.finalNorm(s, h)));
            }

            try (NDManager m = NDManager.newBaseManager("PyTorch")) {
                StateDictParams params = StateDictParams.load(m, sd);
                LibtorchSatGraph graph = new LibtorchSatGraph(CONFIG, params);
                long[] ids64 = new long[ids.length];
                for (int i = 0; i < ids.length; i++) {
                    ids64[i] = ids[i];
                }
                long[] pos64 = new long[LENGTH];
                for (int i = 0; i < LENGTH; i++) {
                    pos64[i] = positions[i];
                }
                NDArray idArray = m.create(ids64, new Shape(BATCH, LENGTH));
                NDArray posArray = m.create(pos64, new Shape(LENGTH));
                NDArray maskArray = m.create(mask, new Shape(LENGTH, LENGTH));
                NDArray biasArray = m.create(bias, new Shape(LENGTH, LENGTH));
                float[] actual = graph.vocabularyLogits(graph.hidden(idArray, posArray, maskArray, biasArray)).toFloatArray();
                assertEquals(expected.length, actual.length, "logits of " + BATCH + "x" + LENGTH + " positions");
                double scale = 1, worst = 0;
                for (int i = 0; i < expected.length; i++) {
                    scale = Math.max(scale, Math.abs(expected[i]));
                    worst = Math.max(worst, Math.abs(expected[i] - actual[i]));
                }
                assertTrue(worst <= 1e-5 * scale, "max |libtorch - ours| = " + worst + " at scale " + scale);
                System.out.printf("SAT graph logits: max |diff| %.3g, scale %.3g (relative %.2e)%n", worst, scale, worst / scale);

                for (String key : sd.keySet()) {
                    params.get(key).setRequiresGradient(true);
                }
                try (GradientCollector collector = Engine.getInstance().newGradientCollector()) {
                    NDArray logits = graph.vocabularyLogits(graph.hidden(idArray, posArray, maskArray, biasArray));
                    collector.backward(logits.square().mean());
                }
                for (String key : sd.keySet()) {
                    if (key.equals("transformer.position_embeddings.weight")) {
                        continue; // only the rows at the sequence's positions are used
                    }
                    float[] g = params.get(key).getGradient().toFloatArray();
                    double norm = 0;
                    for (float v : g) {
                        assertTrue(Float.isFinite(v), "non-finite gradient of " + key);
                        norm += v * v;
                    }
                    assertTrue(norm > 0, "no gradient reaches " + key);
                }
            }
        } finally {
            models.close();
        }
    }
}
