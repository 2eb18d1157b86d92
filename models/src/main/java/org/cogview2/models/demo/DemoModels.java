package org.cogview2.models.demo;

import org.cogview2.checkpoint.HvqvaeLayout;
import org.cogview2.checkpoint.ModelRepository;
import org.cogview2.checkpoint.SatFolderWriter;
import org.cogview2.checkpoint.TensorRequirements;
import org.cogview2.checkpoint.TorchCheckpointWriter;
import org.cogview2.demomodels.CacheFolder;
import org.cogview2.checkpoint.TransformerConfig;
import org.cogview2.checkpoint.npy.NpyArray;
import org.cogview2.models.sampling.ClusterTable;
import org.cogview2.models.transformer.SatCheckpoints;
import org.cogview2.spi.DType;
import org.cogview2.tokenizer.icetk.text.ModelProto;
import org.cogview2.tokenizer.icetk.text.ModelProtoWriter;
import org.cogview2.tokenizer.icetk.text.PieceType;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;

/**
 * The random-weight model set, for tests and benchmarks: the released layout and file formats ({@code coglm},
 * {@code cogview2-dsr}, {@code cogview2-itersr} SAT folders with fp16 checkpoints, icetk's {@code ice_text.model} and
 * {@code ice_image.pt}, a {@code cluster_label.npy}) at tiny sizes with <b>untrained</b> random weights, written
 * deterministically once into a cache folder. Every stage runs end to end in seconds; its pictures are noise. The
 * default set of the pipeline is the trained emoji set of module {@code demo-models}
 * ({@code org.cogview2.demomodels.DemoModelSet}).
 *
 * <p>The text tokenizer is a small unigram SentencePiece model with byte fallback (any text encodes); the cluster
 * table is synthetic.
 */
public final class DemoModels {

    /** Bump when the content changes, so old caches are not reused. */
    static final String VERSION = "demo-models-v1";
    private static final long SEED = 20220615L;

    private DemoModels() {
    }

    /** The cache folder: {@code -Dcogview2.demo.dir}, else {@code $COGVIEW2_CACHE/<version>}, else {@code ~/.cache/cogview2/<version>}. */
    public static Path defaultDirectory() {
        return CacheFolder.resolve("cogview2.demo.dir", VERSION);
    }

    /** The demo set in the default folder, written first if needed; returns its folder. */
    public static Path ensure() {
        return ensure(defaultDirectory());
    }

    /**
     * The demo set in {@code dir}, written first if needed (safe if several processes race); returns {@code dir},
     * laid out like a {@code SAT_HOME} with {@code icetk/} and {@code cluster_label.npy} inside.
     */
    public static Path ensure(Path dir) {
        return CacheFolder.ensure(dir, "the random demo models", tmp -> {
            writeInto(tmp);
            return VERSION + "\n";
        });
    }

    /** Writes every file of the demo set into {@code dir}. */
    static void writeInto(Path dir) throws IOException {
        SplittableRandom random = new SplittableRandom(SEED);
        ModelProto text = DemoTokenizer.model();
        Path icetk = Files.createDirectories(dir.resolve("icetk"));
        Files.write(icetk.resolve(ModelRepository.Component.ICE_TEXT.fileName()), ModelProtoWriter.write(text));
        writeImageCodec(icetk.resolve(ModelRepository.Component.ICE_IMAGE.fileName()), random.split());

        TransformerConfig config = DemoModelsConfig.transformer();
        writeSat(dir.resolve("coglm"), config, TensorRequirements.satTransformer(config), "CachedAutoregressiveModel", random.split());
        writeSat(dir.resolve("cogview2-dsr"), config, TensorRequirements.cogview2Dsr(config, SatCheckpoints.NEW_SEQUENCE_LENGTH), "DsrModel", random.split());
        writeSat(dir.resolve("cogview2-itersr"), config, TensorRequirements.cogview2IterSr(config, SatCheckpoints.NEW_SEQUENCE_LENGTH), "ItersrModel", random.split());

        long[] labels = new long[ClusterTable.TOKENS];
        for (int v = 0; v < labels.length; v++) {
            labels[v] = random.nextInt(ClusterTable.CLUSTERS);
        }
        NpyArray.writeLongs(dir.resolve(ClusterTable.FILE_NAME), new int[]{labels.length}, labels);
    }

    private static void writeSat(Path folder, TransformerConfig c, TensorRequirements requirements, String modelClass,
                                 SplittableRandom random) {
        SatFolderWriter.write(folder, modelClass, c, 1, randomTensors(requirements, DType.F16, random, 0.02f));
    }

    private static void writeImageCodec(Path file, SplittableRandom random) {
        HvqvaeLayout layout = new HvqvaeLayout(3, 3, 32, 16, 16, 20000, List.of(1, 1, 2), 2,
                List.of(List.of(1, 1, 1, 1, 2), List.of(1, 1, 1, 2), List.of(1, 1, 2)), 0, 2, 256, List.of(16));
        TorchCheckpointWriter.saveStateDict(file, randomTensors(TensorRequirements.hvqvae(layout), DType.F32, random, 0f));
    }

    /**
     * Random parameters for every required tensor: norm weights 1 and biases 0; other weights normal with standard
     * deviation {@code std} (or {@code 1/sqrt(fan-in)} when {@code std} is 0, which keeps the convolutions' outputs
     * in range).
     */
    private static Map<String, TorchCheckpointWriter.Tensor> randomTensors(TensorRequirements requirements, DType dtype,
                                                                          SplittableRandom random, float std) {
        Map<String, TorchCheckpointWriter.Tensor> out = new LinkedHashMap<>();
        for (TensorRequirements.Requirement r : requirements.requirements()) {
            if (r.optional()) {
                continue;
            }
            int[] shape = r.shape().dims();
            int n = Math.toIntExact(r.shape().elementCount());
            float[] values = new float[n];
            String key = r.key();
            boolean norm = key.contains("norm") && !key.contains("conv");
            if (norm && key.endsWith(".weight")) {
                java.util.Arrays.fill(values, 1f);
            } else if (!key.endsWith(".bias")) {
                int fanIn = shape.length > 1 ? n / shape[0] : 1;
                float sd = std > 0 ? std : (float) (1.0 / Math.sqrt(fanIn));
                if (key.startsWith("quantize.embed")) {
                    sd = 1f;
                }
                for (int i = 0; i < n; i++) {
                    values[i] = (float) (random.nextGaussian() * sd);
                }
            }
            out.put(key, TorchCheckpointWriter.Tensor.of(dtype, shape, values));
        }
        return out;
    }
}
