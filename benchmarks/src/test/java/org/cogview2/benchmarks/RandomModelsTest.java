package org.cogview2.benchmarks;

import org.cogview2.backend.reference.ReferenceBackend;
import org.cogview2.checkpoint.StoredTensor;
import org.cogview2.checkpoint.TensorRequirements;
import org.cogview2.spi.DType;
import org.cogview2.spi.Tensor;
import org.cogview2.spi.TensorScope;
import org.junit.jupiter.api.Test;

import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Random weights as a checkpoint's: memory-mapped (so uploaded in place), fp16, with the documented values. */
class RandomModelsTest {

    private static final TensorRequirements SMALL = TensorRequirements.satTransformer(RandomModels.config(2, 64, 4, 1024));

    @Test
    void everyTensorIsAMappedFp16SegmentWithTheDocumentedValues() {
        RandomModels models = new RandomModels(1);
        try {
            Map<String, StoredTensor> sd = models.stateDict(SMALL, DType.F16, 0.05f);
            assertFalse(sd.isEmpty());
            for (StoredTensor t : sd.values()) {
                assertTrue(t.data().isMapped(), t.key() + " is not memory-mapped");
                assertEquals(DType.F16, t.dtype(), t.key());
            }
            float[] ln = sd.get("transformer.layers.0.input_layernorm.weight").toFloats();
            for (float v : ln) {
                assertEquals(1f, v, "norm weights are 1");
            }
            for (float v : sd.get("transformer.layers.0.attention.dense.bias").toFloats()) {
                assertEquals(0f, v, "biases are 0");
            }
            float[] w = sd.get("transformer.layers.0.attention.dense.weight").toFloats();
            double sum = 0;
            double squares = 0;
            double bound = 0.05 * Math.sqrt(3) * 1.001;
            for (float v : w) {
                assertTrue(Math.abs(v) <= bound, "uniform within sqrt(3) sd: " + v);
                sum += v;
                squares += (double) v * v;
            }
            double sd2 = Math.sqrt(squares / w.length - Math.pow(sum / w.length, 2));
            assertEquals(0.05, sd2, 0.003, "standard deviation");
        } finally {
            models.close();
        }
    }

    @Test
    void aBackendUploadsTheWeightsInPlace() {
        RandomModels models = new RandomModels(2);
        try (ReferenceBackend backend = new ReferenceBackend(); TensorScope s = backend.newScope()) {
            StoredTensor stored = models.stateDict(SMALL, DType.F16, 0.05f).get("transformer.layers.0.mlp.dense_h_to_4h.weight");
            Tensor t = s.upload(stored.data(), stored.dtype(), org.cogview2.spi.Shape.of(stored.shape()));
            assertEquals(0, backend.memoryStats().liveBytes(), "a mapped upload is not a heap copy");
            assertEquals(stored.toFloats()[5], s.readFloats(t)[5]);
        } finally {
            models.close();
        }
    }

    @Test
    void onlyFp16IsOffered() {
        RandomModels models = new RandomModels(3);
        try {
            assertThrows(IllegalArgumentException.class, () -> models.stateDict(SMALL, DType.F32, 0.05f));
        } finally {
            models.close();
        }
    }
}
