package org.cogview2.training.coglm;

import ai.djl.ndarray.NDManager;
import org.cogview2.api.Style;
import org.cogview2.checkpoint.SatModelFolder;
import org.cogview2.checkpoint.StoredTensor;
import org.cogview2.checkpoint.TensorRequirements;
import org.cogview2.checkpoint.TorchCheckpoint;
import org.cogview2.dataset.ManifestEntry;
import org.cogview2.tokenizer.icetk.IceTextTokenizer;
import org.cogview2.training.core.NoGrad;
import org.cogview2.training.core.Trainer;
import org.cogview2.training.core.TrainingLog;
import org.cogview2.training.core.TrainingOptions;
import org.cogview2.training.core.TrainingRuntime;
import org.cogview2.training.tokens.PictureTokens;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * CogLM's training task on a few pairs with made-up token grids: padding a batch changes nobody's log-likelihoods,
 * the loss falls, and the written folder is a released-format CogLM whose unused image rows are zero.
 */
class CogLmTaskTest {

    static final Path ICE_TEXT = Path.of("..", "demo-models", "icetk", "ice_text.model");
    static final int CODES = 64;

    static List<ManifestEntry> entries() {
        return List.of(
                entry("a", "apple", "苹果", List.of("fruit", "red"), "train"),
                entry("b", "grinning face with big eyes", "哈哈", List.of("face"), "train"),
                entry("c", "cat", "猫", List.of(), "train"),
                entry("d", "rocket", "火箭", List.of("space"), "heldout"));
    }

    static ManifestEntry entry(String id, String en, String zh, List<String> tags, String split) {
        return new ManifestEntry(id, id.toUpperCase(), "test", en, zh, tags, List.of(), split, id + "-160.png", id + "-480.png");
    }

    static PictureTokens grids(int side, long seed) {
        SplittableRandom r = new SplittableRandom(seed);
        Map<String, int[]> g = new LinkedHashMap<>();
        for (ManifestEntry e : entries()) {
            int[] ids = new int[side * side];
            for (int i = 0; i < ids.length; i++) {
                ids[i] = r.nextInt(CODES);
            }
            g.put(e.id(), ids);
        }
        return PictureTokens.of(g, side);
    }

    static CogLmConfig tiny() {
        return new CogLmConfig(1, 32, 2, 3, 1.4f, 2, 0.2);
    }

    @Test
    void paddingARowDoesNotChangeItsLogLikelihoods() {
        IceTextTokenizer text = IceTextTokenizer.load(ICE_TEXT);
        List<ManifestEntry> e = entries();
        try (NDManager manager = TrainingRuntime.newManager(1);
             CogLmTask task = new CogLmTask(manager, tiny(), text, grids(20, 1), e, CODES, null, 3);
             NoGrad ignored = NoGrad.enter()) {
            // "a" has the shortest caption: in a batch with a longer one it is padded on the left (stage 1), or its
            // caption on the right (inverse direction).
            float[] alone = task.logProbabilities(manager, task.stage1Batch(List.of(e.get(0)), List.of("apple"),
                    List.of(Style.MAINBODY))).toFloatArray();
            float[] padded = task.logProbabilities(manager, task.stage1Batch(List.of(e.get(0), e.get(1)),
                    List.of("apple", e.get(1).captionEn()), List.of(Style.MAINBODY, Style.MAINBODY))).toFloatArray();
            assertEquals(400, alone.length);
            assertArrayEquals(alone, java.util.Arrays.copyOf(padded, 400), 2e-5f);

            float[] inverseAlone = task.logProbabilities(manager, task.inverseBatch(List.of(e.get(0)), List.of("apple"))).toFloatArray();
            CogLmTask.Batch both = task.inverseBatch(List.of(e.get(0), e.get(1)), List.of("apple", e.get(1).captionEn()));
            float[] inversePadded = task.logProbabilities(manager, both).toFloatArray();
            assertArrayEquals(inverseAlone, java.util.Arrays.copyOf(inversePadded, inverseAlone.length), 2e-5f);
            for (float lp : inversePadded) {
                assertTrue(lp <= 0 && Float.isFinite(lp), "log-probabilities are finite and at most 0, got " + lp);
            }
        }
    }

    @Test
    void lossFallsAndTheFolderIsAReleasedCogLm(@TempDir Path tmp) throws Exception {
        IceTextTokenizer text = IceTextTokenizer.load(ICE_TEXT);
        Path out = tmp.resolve("out");
        TrainingOptions options = TrainingOptions.builder().steps(40).learningRate(3e-3).warmupSteps(4).seed(5)
                .threads(2).checkpointEvery(0).evalEvery(0).logEvery(1).outDir(out).showProgress(false).build();
        CogLmConfig config = tiny();
        try (NDManager manager = TrainingRuntime.newManager(options.threads());
             CogLmTask task = new CogLmTask(manager, config, text, grids(20, 2), entries(), CODES, null, 5)) {
            new Trainer().run(task, options);
        }
        List<Double> losses = TrainingLog.read(out.resolve("train-log.jsonl")).stream().map(TrainingLog.Entry::loss).toList();
        // Even steps train stage 1 (three pictures of random tokens to memorise): compare those.
        double first = (losses.get(0) + losses.get(2)) / 2;
        double last = (losses.get(36) + losses.get(38)) / 2;
        assertTrue(last < first - 0.5, "the stage-1 loss should fall: first " + first + ", last " + last);

        SatModelFolder folder = SatModelFolder.open(out.resolve("coglm"));
        assertEquals(List.of(1, 32, 2, text.vocabularySize(), 1024), List.of(folder.config().numLayers(),
                folder.config().hiddenSize(), folder.config().numAttentionHeads(), folder.config().vocabSize(),
                folder.config().maxSequenceLength()));
        try (TorchCheckpoint checkpoint = TorchCheckpoint.open(folder.checkpointFile())) {
            TensorRequirements.satTransformer(folder.config()).check(checkpoint);
            StoredTensor word = checkpoint.stateDict().get("transformer.word_embeddings.weight");
            float[] w = word.toFloats();
            int h = config.hidden();
            for (int i = CODES * h; i < 20000 * h; i++) {
                if (w[i] != 0f) {
                    throw new AssertionError("unused image id " + i / h + " has a non-zero embedding");
                }
            }
            boolean trained = false;
            for (int i = 0; i < CODES * h; i++) {
                trained |= w[i] != 0f;
            }
            assertTrue(trained, "the used image ids have embeddings");
        }
    }
}
