package org.cogview2.training.sat;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.types.Shape;
import org.cogview2.checkpoint.SatFolderWriter;
import org.cogview2.checkpoint.SatModelFolder;
import org.cogview2.checkpoint.StoredTensor;
import org.cogview2.checkpoint.TensorRequirements;
import org.cogview2.checkpoint.TorchCheckpoint;
import org.cogview2.checkpoint.TorchCheckpointWriter;
import org.cogview2.checkpoint.TransformerConfig;
import org.cogview2.spi.DType;
import org.cogview2.training.core.ParameterStore;

import java.nio.file.Path;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.SplittableRandom;

/**
 * The parameters of a SAT transformer in a trainer's {@link ParameterStore}, by their released names: initialised
 * as SAT initialises them, optionally read from a released folder (fine-tuning), and written back as a SAT folder.
 *
 * <p>Initialisation (SAT 0.2.x {@code init_method_normal} / {@code scaled_init_method}): weights and embeddings
 * {@code N(0, 0.02)}, the two projections that write into the residual stream ({@code attention.dense},
 * {@code mlp.dense_4h_to_h}, and the {@code attention_plus} dense) {@code N(0, 0.02 / sqrt(2 L))}, biases 0,
 * LayerNorms 1 and 0. Word-embedding rows of image ids the image tokenizer never produces ({@code [codes, 20000)})
 * start at zero and get no gradient, so they stay zero: their logit is exactly 0 in every row, which the tasks'
 * losses account for (see {@link UnusedImageIds}).
 */
public final class SatParameters {

    static final double STD = 0.02;
    public static final String WORD_EMBEDDINGS = "transformer.word_embeddings.weight";

    private SatParameters() {
    }

    /** Adds every required tensor of {@code requirements} to {@code store}, initialised (see the class comment). */
    public static void initialise(ParameterStore store, TensorRequirements requirements, TransformerConfig config,
                                  UnusedImageIds unused, SplittableRandom random) {
        double scaled = STD / Math.sqrt(2.0 * config.numLayers());
        for (TensorRequirements.Requirement r : requirements.requirements()) {
            if (r.optional()) {
                continue;
            }
            String key = r.key();
            int[] dims = r.shape().dims();
            float[] v = new float[Math.toIntExact(r.shape().elementCount())];
            boolean norm = key.contains("layernorm");
            boolean bias = key.endsWith(".bias");
            if (norm && !bias) {
                Arrays.fill(v, 1f);
            } else if (!bias) {
                double std = key.contains(".dense.") || key.contains("dense_4h_to_h") ? scaled : STD;
                for (int i = 0; i < v.length; i++) {
                    v[i] = (float) (random.nextGaussian() * std);
                }
                if (key.equals(WORD_EMBEDDINGS)) {
                    int h = dims[1];
                    Arrays.fill(v, unused.from() * h, unused.to() * h, 0f);
                }
            }
            try (NDArray a = store.manager().create(v, shape(dims))) {
                store.addParameter(key, a, !norm && !bias);
            }
        }
    }

    /** Overwrites the store's tensors with those of the SAT folder {@code dir} (same names and shapes). */
    public static void load(ParameterStore store, Path dir, TensorRequirements requirements) {
        SatModelFolder folder = SatModelFolder.open(dir);
        try (TorchCheckpoint checkpoint = TorchCheckpoint.open(folder.checkpointFile())) {
            requirements.check(checkpoint);
            Map<String, StoredTensor> sd = checkpoint.stateDict();
            for (String key : store.all().keySet()) {
                StoredTensor t = sd.get(key);
                if (t == null) {
                    throw new IllegalArgumentException(folder.checkpointFile() + " has no tensor '" + key + "'");
                }
                store.set(key, t.toFloats());
            }
        }
    }

    /** Writes the store as a SAT folder with fp16 tensors, as released. */
    public static void export(ParameterStore store, TensorRequirements requirements, Path folder, String modelClass,
                              TransformerConfig config, long step) {
        Map<String, TorchCheckpointWriter.Tensor> sd = new LinkedHashMap<>();
        for (TensorRequirements.Requirement r : requirements.requirements()) {
            if (r.optional()) {
                continue;
            }
            sd.put(r.key(), TorchCheckpointWriter.Tensor.of(DType.F16, r.shape().dims(), store.get(r.key()).toFloatArray()));
        }
        SatFolderWriter.write(folder, modelClass, config, Math.max(1, step), sd);
    }

    static Shape shape(int[] dims) {
        long[] s = new long[dims.length];
        for (int i = 0; i < dims.length; i++) {
            s[i] = dims[i];
        }
        return new Shape(s);
    }
}
