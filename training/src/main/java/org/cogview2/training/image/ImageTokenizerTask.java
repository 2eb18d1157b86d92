package org.cogview2.training.image;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import org.cogview2.checkpoint.HvqvaeLayout;
import org.cogview2.checkpoint.StoredTensor;
import org.cogview2.checkpoint.TensorRequirements;
import org.cogview2.checkpoint.TorchCheckpoint;
import org.cogview2.checkpoint.TorchCheckpointWriter;
import org.cogview2.dataset.ManifestEntry;
import org.cogview2.libtorch.LibtorchHvqvae;
import org.cogview2.libtorch.StateDictParams;
import org.cogview2.spi.DType;
import org.cogview2.tokenizer.icetk.image.ImageNormalization;
import org.cogview2.tokenizer.icetk.image.PictureQuality;
import org.cogview2.training.core.ParameterStore;
import org.cogview2.training.core.StepOutput;
import org.cogview2.training.core.TrainingTask;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;

/**
 * Trains icetk's hierarchical VQ-VAE at one level (CogView2 uses level 1, compress rate 8) on a data set's pictures:
 * reconstruction error plus commitment loss through a straight-through quantiser, the codebook moved by exponential
 * moving averages with dead-code restarts ({@link CodebookEma}). Writes {@code ice_image.pt} in the released format.
 *
 * <p>Only the parts on the trained level's path are optimised (the encoder, the down-samplers below the level, the
 * quantiser's projection, the level's decoder); the other decoders and down-samplers keep their initial values and
 * are saved so that the file has the released module structure. Parameters start as PyTorch initialises
 * convolutions ({@code U(-1/sqrt(fan_in), 1/sqrt(fan_in))}), GroupNorm scales at one.
 */
public final class ImageTokenizerTask implements TrainingTask<ImageTokenizerTask.Batch> {

    /** File name of the released image tokenizer. */
    public static final String FILE_NAME = "ice_image.pt";
    private static final String CODEBOOK = "quantize.embed.weight";
    private static final String CLUSTER_SIZE = "quantize.cluster_size";
    private static final String EMBED_AVG = "quantize.embed_avg";

    /** One step's pictures: normalised planes {@code [batch, 3, crop, crop]}. */
    public record Batch(float[] pictures) {
    }

    private final ImageTokenizerConfig config;
    private final ParameterStore store;
    private final PictureCrops crops;
    private final Path datasetDir;
    private final List<ManifestEntry> heldout;
    private final CodebookEma ema;
    private final long seed;
    private LibtorchHvqvae model;

    /**
     * @param init an {@code ice_image.pt} of the same layout to start from (fine-tuning), or null for a fresh start
     */
    public ImageTokenizerTask(NDManager manager, ImageTokenizerConfig config, Path datasetDir, List<ManifestEntry> entries,
                              Path init, long seed) {
        this.config = config;
        this.datasetDir = datasetDir;
        this.seed = seed;
        List<ManifestEntry> train = entries.stream().filter(ManifestEntry::isTrain).toList();
        this.heldout = entries.stream().filter(e -> !e.isTrain()).toList();
        int rate = LibtorchHvqvae.compressRate(config.level());
        this.crops = new PictureCrops(datasetDir, train, config.crop(), rate);
        HvqvaeLayout l = config.layout();
        this.ema = new CodebookEma(l.codebookSize(), l.embeddingDim(), config.emaDecay(), config.deadThreshold());
        this.store = new ParameterStore(manager);
        Map<String, float[]> initial = init == null ? null : readInit(init, l);
        SplittableRandom random = new SplittableRandom(seed);
        Map<String, int[]> shapes = new LinkedHashMap<>();
        for (TensorRequirements.Requirement r : TensorRequirements.hvqvae(l).requirements()) {
            shapes.put(r.key(), r.shape().dims());
        }
        for (TensorRequirements.Requirement r : TensorRequirements.hvqvae(l).requirements()) {
            int[] dims = r.shape().dims();
            float[] values = initial != null && initial.containsKey(r.key()) ? initial.get(r.key())
                    : initialValues(r.key(), dims, shapes.get(r.key().replaceAll("\\.bias$", ".weight")), random);
            NDArray array = manager.create(values, shape(dims));
            if (onTrainedPath(r.key())) {
                store.addParameter(r.key(), array, r.key().endsWith(".weight") && !r.key().contains("norm"));
            } else {
                store.addBuffer(r.key(), array);
            }
            array.close();
        }
    }

    private static Map<String, float[]> readInit(Path init, HvqvaeLayout expected) {
        try (TorchCheckpoint checkpoint = TorchCheckpoint.open(init)) {
            HvqvaeLayout found = HvqvaeLayout.inferFrom(checkpoint);
            TensorRequirements.hvqvae(found).check(checkpoint);
            if (!found.equals(expected)) {
                throw new IllegalArgumentException(init + " has the layout " + found + "; the trainer is set up for " + expected);
            }
            Map<String, float[]> out = new LinkedHashMap<>();
            for (Map.Entry<String, StoredTensor> e : checkpoint.stateDict().entrySet()) {
                out.put(e.getKey(), e.getValue().toFloats());
            }
            return out;
        }
    }

    /** Whether a parameter is used by encoding and decoding at the trained level. */
    private boolean onTrainedPath(String key) {
        int level = config.level();
        int decoders = config.layout().decoderChannelsMult().size();
        if (key.equals(CODEBOOK) || key.equals(CLUSTER_SIZE) || key.equals(EMBED_AVG)) {
            return false;
        }
        if (key.startsWith("enc.") || key.startsWith("quantize.proj.")) {
            return true;
        }
        for (int i = 0; i < level; i++) {
            if (key.startsWith("down_samplers." + i + ".")) {
                return true;
            }
        }
        return key.startsWith("decs." + (decoders - 1 - level) + ".");
    }

    /** Initial values of one tensor; {@code weightDims} is the shape of the weight beside a bias. */
    private static float[] initialValues(String key, int[] dims, int[] weightDims, SplittableRandom random) {
        int n = 1;
        for (int d : dims) {
            n *= d;
        }
        float[] v = new float[n];
        if (key.equals(CLUSTER_SIZE) || key.equals(EMBED_AVG)) {
            return v; // every code starts dead and is restarted on the first batch's latents
        }
        if (key.equals(CODEBOOK)) {
            for (int i = 0; i < n; i++) {
                v[i] = (float) random.nextGaussian();
            }
            return v;
        }
        boolean norm = key.contains("norm") && !key.contains("conv");
        if (norm) {
            if (key.endsWith(".weight")) {
                java.util.Arrays.fill(v, 1f);
            }
            return v;
        }
        // Convolutions: weight [out, in, kh, kw], bias [out]; PyTorch's default bound 1/sqrt(fan_in) for both.
        int[] w = dims.length == 4 ? dims : weightDims;
        int fanIn = w != null && w.length == 4 ? w[1] * w[2] * w[3] : 1;
        float bound = (float) (1 / Math.sqrt(fanIn));
        for (int i = 0; i < n; i++) {
            v[i] = (float) ((random.nextDouble() * 2 - 1) * bound);
        }
        return v;
    }

    private static Shape shape(int[] dims) {
        long[] s = new long[dims.length];
        for (int i = 0; i < dims.length; i++) {
            s[i] = dims[i];
        }
        return new Shape(s);
    }

    @Override
    public String name() {
        return "image-tokenizer";
    }

    @Override
    public ParameterStore parameters() {
        return store;
    }

    private LibtorchHvqvae model() {
        if (model == null) {
            model = new LibtorchHvqvae(StateDictParams.of(store.all()));
        }
        return model;
    }

    @Override
    public Batch batch(long runSeed, long index) {
        SplittableRandom random = new SplittableRandom(runSeed * 0x9E3779B97F4A7C15L + index);
        return new Batch(crops.draw(random, config.batch()));
    }

    @Override
    public long samplesIn(Batch batch) {
        return config.batch();
    }

    @Override
    public StepOutput forward(NDManager step, Batch batch, long stepIndex) {
        LibtorchHvqvae m = model();
        int b = config.batch();
        int c = config.crop();
        int side = c / m.upscale(config.level());
        NDArray x = step.create(batch.pictures(), new Shape(b, 3, c, c));
        NDArray z = m.project(m.latent(x, config.level()));
        NDArray ids = m.nearestCodes(z);
        NDArray zq = m.embed(ids.reshape(b, side, side));
        // Straight-through: the decoder sees the codes, the encoder gets the decoder's gradient as if it had.
        NDArray st = z.add(zq.sub(z).stopGradient());
        NDArray reconstruction = m.decode(st, config.level());
        NDArray rec = LibtorchHvqvae.mse(reconstruction, x);
        NDArray commit = LibtorchHvqvae.mse(z, zq.stopGradient());
        NDArray loss = rec.add(commit.mul(config.commitment()));

        int restarted = updateCodebook(z, ids, stepIndex);
        Map<String, NDArray> metrics = new LinkedHashMap<>();
        metrics.put("reconstruction", rec);
        metrics.put("commitment", commit);
        metrics.put("restarted", step.create((float) restarted));
        metrics.put("codes_in_batch", step.create((float) distinct(ids)));
        return new StepOutput(loss, metrics);
    }

    private static int distinct(NDArray ids) {
        long[] v = ids.toLongArray();
        java.util.BitSet seen = new java.util.BitSet();
        for (long id : v) {
            seen.set((int) id);
        }
        return seen.cardinality();
    }

    /** The codebook's moving-average step with this batch's latents, in plain arrays, written back to the buffers. */
    private int updateCodebook(NDArray z, NDArray ids, long stepIndex) {
        float[] rows;
        try (NDArray detached = z.stopGradient(); NDArray nhwc = detached.transpose(0, 2, 3, 1)) {
            rows = nhwc.toFloatArray();
        }
        long[] raw = ids.toLongArray();
        int[] assigned = new int[raw.length];
        for (int i = 0; i < raw.length; i++) {
            assigned[i] = (int) raw[i];
        }
        float[] clusterSize = store.get(CLUSTER_SIZE).toFloatArray();
        float[] embedAvg = store.get(EMBED_AVG).toFloatArray();
        float[] codebook = store.get(CODEBOOK).toFloatArray();
        SplittableRandom random = new SplittableRandom(seed ^ (0xC0DEB00CL * (stepIndex + 1)));
        int restarted = ema.update(clusterSize, embedAvg, codebook, rows, assigned, random);
        // Copied into the tensors' own memory (NDArray.set would re-point them at a Java buffer of random alignment,
        // which changes libtorch's vectorised sums and so the reproducibility of a resumed run).
        store.set(CLUSTER_SIZE, clusterSize);
        store.set(EMBED_AVG, embedAvg);
        store.set(CODEBOOK, codebook);
        return restarted;
    }

    @Override
    public Map<String, Double> evaluate(NDManager m) {
        if (heldout.isEmpty()) {
            return Map.of();
        }
        // A fixed sample of held-out pictures, small enough to run at every evaluation: eight at 160, two at 480.
        PictureQuality at160 = new PictureQuality();
        PictureQuality at480 = new PictureQuality();
        List<ManifestEntry> sample = heldout.subList(0, Math.min(8, heldout.size()));
        for (int i = 0; i < sample.size(); i++) {
            ManifestEntry e = sample.get(i);
            reconstruct(m, datasetDir.resolve(e.image160()), e.id(), at160);
            if (i < 2) {
                reconstruct(m, datasetDir.resolve(e.image480()), e.id(), at480);
            }
        }
        Map<String, Double> out = new LinkedHashMap<>();
        out.put("psnr_160", at160.psnr());
        out.put("psnr_480", at480.psnr());
        return out;
    }

    private void reconstruct(NDManager manager, Path file, String id, PictureQuality quality) {
        float[] original = PictureCrops.whole(file, id);
        int side = (int) Math.round(Math.sqrt(original.length / 3.0));
        try (NDManager m = manager.newSubManager()) {
            NDArray x = m.create(original, new Shape(1, 3, side, side));
            NDArray out = model().reconstruct(x, config.level());
            int plane = side * side;
            quality.add(ImageNormalization.denormalize(original, plane), ImageNormalization.denormalize(out.toFloatArray(), plane));
        }
    }

    @Override
    public void export(Path outDir, long step) throws IOException {
        Files.createDirectories(outDir);
        Map<String, TorchCheckpointWriter.Tensor> sd = new LinkedHashMap<>();
        for (TensorRequirements.Requirement r : TensorRequirements.hvqvae(config.layout()).requirements()) {
            NDArray a = store.get(r.key());
            sd.put(r.key(), TorchCheckpointWriter.Tensor.of(DType.F32, r.shape().dims(), a.toFloatArray()));
        }
        Path tmp = outDir.resolve(FILE_NAME + ".tmp");
        TorchCheckpointWriter.saveStateDict(tmp, sd);
        Files.move(tmp, outDir.resolve(FILE_NAME), StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
    }
}
