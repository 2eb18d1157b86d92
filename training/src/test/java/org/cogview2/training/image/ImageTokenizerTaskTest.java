package org.cogview2.training.image;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import org.cogview2.backend.reference.ReferenceBackend;
import org.cogview2.checkpoint.HvqvaeLayout;
import org.cogview2.checkpoint.TorchCheckpoint;
import org.cogview2.dataset.Manifest;
import org.cogview2.libtorch.LibtorchHvqvae;
import org.cogview2.libtorch.StateDictParams;
import org.cogview2.spi.Tensor;
import org.cogview2.spi.TensorScope;
import org.cogview2.tokenizer.icetk.image.HierarchicalVqVae;
import org.cogview2.training.core.Trainer;
import org.cogview2.training.core.TrainingLog;
import org.cogview2.training.core.TrainingOptions;
import org.cogview2.training.core.TrainingRuntime;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.SplittableRandom;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The image tokenizer's training on a few generated pictures: the loss falls, and what the trainer writes opens with
 * our {@link HierarchicalVqVae}, whose encoding and decoding on the CPU reference backend equal the libtorch graph's on
 * the same file.
 */
class ImageTokenizerTaskTest {

    /** icetk's structure at the narrowest width, with a small codebook, trained on 32x32 crops. */
    static ImageTokenizerConfig tiny() {
        HvqvaeLayout layout = new HvqvaeLayout(3, 3, 32, 32, 16, 256, List.of(1, 1, 1), 1,
                List.of(List.of(1, 1, 1, 1, 1), List.of(1, 1, 1, 1), List.of(1, 1, 1)), 0, 2, 256, List.of(16));
        return ImageTokenizerConfig.demo().withLayout(layout).withBatch(4).withCrop(64);
    }

    @Test
    void lossFallsAndTheWrittenFileDecodesAsTheGraphDoes(@TempDir Path tmp) throws Exception {
        Path data = TinyDataset.write(tmp.resolve("data"), 8);
        Path out = tmp.resolve("out");
        TrainingOptions options = TrainingOptions.builder().steps(40).learningRate(1e-3).warmupSteps(5).seed(7)
                .threads(2).checkpointEvery(0).evalEvery(0).logEvery(1).outDir(out).showProgress(false).build();
        try (NDManager manager = TrainingRuntime.newManager(options.threads());
             ImageTokenizerTask task = new ImageTokenizerTask(manager, tiny(), data, Manifest.read(data), null, 7)) {
            new Trainer().run(task, options);
        }
        List<Double> losses = TrainingLog.read(out.resolve("train-log.jsonl")).stream().map(TrainingLog.Entry::loss).toList();
        assertEquals(40, losses.size(), "one log line per step");
        double first = losses.subList(0, 5).stream().mapToDouble(Double::doubleValue).average().orElseThrow();
        double last = losses.subList(35, 40).stream().mapToDouble(Double::doubleValue).average().orElseThrow();
        assertTrue(last < 0.7 * first, "loss should fall: first steps " + first + ", last steps " + last);

        Path file = out.resolve(ImageTokenizerTask.FILE_NAME);
        float[] picture = PictureCrops.whole(data.resolve("images/160/test/1F600.png"), "test/1F600");
        int side = 160;
        ReferenceBackend backend = new ReferenceBackend();
        float[] ours;
        int[] ourIds;
        try (HierarchicalVqVae vq = HierarchicalVqVae.load(file, backend); TensorScope s = backend.newScope()) {
            Tensor x = s.fromFloats(picture, org.cogview2.spi.Shape.of(1, 3, side, side));
            ourIds = s.readInts(vq.quantize(s, vq.latent(s, x, 1)));
            ours = vq.decode(ourIds, 1, side / 8, 1);
        }
        float[] theirs;
        int[] theirIds;
        try (TorchCheckpoint checkpoint = TorchCheckpoint.open(file); NDManager m = NDManager.newBaseManager("PyTorch")) {
            LibtorchHvqvae graph = new LibtorchHvqvae(StateDictParams.load(m, checkpoint.stateDict()));
            NDArray x = m.create(picture, new Shape(1, 3, side, side));
            NDArray ids = graph.nearestCodes(graph.project(graph.latent(x, 1)));
            theirIds = ids.toType(ai.djl.ndarray.types.DataType.INT32, false).toIntArray();
            theirs = graph.decode(graph.embed(ids.reshape(1, side / 8, side / 8)), 1).toFloatArray();
        }
        assertArrayEquals(ourIds, theirIds, "code ids of the trained file: reference backend vs libtorch graph");
        double scale = 0, worst = 0;
        for (int i = 0; i < ours.length; i++) {
            scale = Math.max(scale, Math.abs(ours[i]));
            worst = Math.max(worst, Math.abs(ours[i] - theirs[i]));
        }
        assertTrue(scale > 0.1, "degenerate decode");
        assertTrue(worst <= 1e-5 * scale, "decode of the trained file: max |libtorch - ours| = " + worst + " at scale " + scale);
    }

    /**
     * Resumed from the state an uninterrupted run saved at step 6, a run continues that run: the six lines before the
     * cut are kept and step 7, the first to use the restored parameters, codebook and batch position, logs the loss
     * the uninterrupted run logged; resumed from its final state, it exports the very tensors (codebook statistics
     * included) the uninterrupted run exported.
     *
     * <p>The step comparison is against the very run the state was cut from, for one step, at round-off tolerance:
     * libtorch's CPU kernels are not bit-reproducible from one run to the next in one process on every machine (two
     * fresh runs have differed from step 2 on), and Adam's updates and the nearest-code choice turn last-bit
     * differences into percent-level ones within a step or two. Exact equality of a resumed run, Adam moments
     * included, is checked on a deterministic task in {@code TrainerTest}.
     */
    @Test
    void aRunResumedFromItsOwnStateContinuesIt(@TempDir Path tmp) throws Exception {
        Path data = TinyDataset.write(tmp.resolve("data"), 6);
        ImageTokenizerConfig config = tiny().withCrop(32).withBatch(2);
        Path straight = tmp.resolve("straight");
        run(config, data, straight, false);
        List<Path> states;
        try (Stream<Path> list = Files.list(straight.resolve("state"))) {
            states = list.sorted().toList();
        }
        assertEquals(2, states.size(), "states of steps 6 and 12: " + states);

        Path resumed = tmp.resolve("resumed");
        copyTree(states.get(0), resumed.resolve("state").resolve(states.get(0).getFileName()));
        // The whole log, as a crash after later lines but before their state would leave it: the resumed run cuts it.
        Files.copy(straight.resolve(TrainingLog.FILE_NAME), resumed.resolve(TrainingLog.FILE_NAME));
        run(config, data, resumed, true);
        List<Double> a = TrainingLog.read(straight.resolve(TrainingLog.FILE_NAME)).stream().map(TrainingLog.Entry::loss).toList();
        List<Double> b = TrainingLog.read(resumed.resolve(TrainingLog.FILE_NAME)).stream().map(TrainingLog.Entry::loss).toList();
        assertEquals(12, a.size());
        assertEquals(12, b.size(), "one line per step after the cut, none twice");
        assertEquals(a.subList(0, 6), b.subList(0, 6), "lines before the cut are kept");
        assertEquals(a.get(6), b.get(6), 1e-5 * a.get(6), "step 7: restored parameters, codebook and batch");

        Path atEnd = tmp.resolve("at-end");
        copyTree(states.get(1), atEnd.resolve("state").resolve(states.get(1).getFileName()));
        Files.copy(straight.resolve(TrainingLog.FILE_NAME), atEnd.resolve(TrainingLog.FILE_NAME));
        run(config, data, atEnd, true);
        try (TorchCheckpoint x = TorchCheckpoint.open(straight.resolve(ImageTokenizerTask.FILE_NAME));
             TorchCheckpoint y = TorchCheckpoint.open(atEnd.resolve(ImageTokenizerTask.FILE_NAME))) {
            assertEquals(x.stateDict().keySet(), y.stateDict().keySet());
            assertTrue(x.stateDict().keySet().stream().anyMatch(k -> k.contains("cluster_size")),
                    "the codebook statistics are exported: " + x.stateDict().keySet());
            for (String key : x.stateDict().keySet()) {
                assertArrayEquals(x.stateDict().get(key).toFloats(), y.stateDict().get(key).toFloats(), key);
            }
        }
    }

    private static void copyTree(Path from, Path to) throws Exception {
        try (Stream<Path> files = Files.walk(from)) {
            for (Path f : files.toList()) {
                Path target = to.resolve(from.relativize(f).toString());
                if (Files.isDirectory(f)) {
                    Files.createDirectories(target);
                } else {
                    Files.copy(f, target);
                }
            }
        }
    }

    /** Runs the 12-step schedule, saving a state every 6 steps and keeping both; or resumes the latest. */
    private static void run(ImageTokenizerConfig config, Path data, Path out, boolean resume) throws Exception {
        TrainingOptions options = TrainingOptions.builder().steps(12).learningRate(1e-3).warmupSteps(2).seed(5)
                .threads(2).checkpointEvery(6).keepStates(2).evalEvery(0).logEvery(1).outDir(out).showProgress(false)
                .resume(resume).build();
        try (NDManager manager = TrainingRuntime.newManager(options.threads());
             ImageTokenizerTask task = new ImageTokenizerTask(manager, config, data, Manifest.read(data), null, 5)) {
            new Trainer().run(task, options);
        }
    }

    @Test
    void batchesArePureFunctionsOfSeedAndIndex(@TempDir Path tmp) throws Exception {
        Path data = TinyDataset.write(tmp.resolve("data"), 4);
        try (NDManager manager = TrainingRuntime.newManager(1);
             ImageTokenizerTask task = new ImageTokenizerTask(manager, tiny(), data, Manifest.read(data), null, 3)) {
            assertArrayEquals(task.batch(5, 17).pictures(), task.batch(5, 17).pictures());
            assertTrue(!java.util.Arrays.equals(task.batch(5, 17).pictures(), task.batch(5, 18).pictures()));
        }
    }

    @Test
    void codebookMovesTowardsItsLatentsAndRestartsDeadCodes() {
        CodebookEma ema = new CodebookEma(4, 2, 0.5f, 0.01f);
        float[] size = {1, 1, 0, 1};
        float[] avg = {1, 1, 2, 2, 0, 0, 3, 3};
        float[] book = {1, 1, 2, 2, 9, 9, 3, 3};
        float[] rows = {5, 5, 5, 5};
        int restarted = ema.update(size, avg, book, rows, new int[] {0, 0}, new SplittableRandom(1));
        assertEquals(1, restarted, "code 2 was dead");
        assertEquals(0.5f * 1 + 0.5f * 2, size[0], 1e-6, "count of code 0: 0.5*1 + 0.5*2");
        // embed_avg[0] = 0.5*1 + 0.5*10 = 5.5; divided by the smoothed count (~1.5): ~3.67, between old 1 and latent 5.
        assertTrue(book[0] > 3 && book[0] < 4, "code 0 moved towards its latents: " + book[0]);
        assertEquals(5f, book[4], 0.01f, "the dead code restarted on a batch latent");
        assertEquals(1f, size[2], 0f, "a restarted code counts as one assignment");
    }
}
