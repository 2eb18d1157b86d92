package org.cogview2.training.sr;

import ai.djl.ndarray.NDManager;
import org.cogview2.checkpoint.SatModelFolder;
import org.cogview2.checkpoint.TensorRequirements;
import org.cogview2.checkpoint.TorchCheckpoint;
import org.cogview2.checkpoint.TransformerConfig;
import org.cogview2.models.sr.LoparSchedule;
import org.cogview2.models.transformer.SatCheckpoints;
import org.cogview2.tokenizer.icetk.IceTextTokenizer;
import org.cogview2.training.coglm.CogLmConfig;
import org.cogview2.training.coglm.CogLmTask;
import org.cogview2.training.core.Trainer;
import org.cogview2.training.core.TrainingLog;
import org.cogview2.training.core.TrainingOptions;
import org.cogview2.training.core.TrainingRuntime;
import org.cogview2.training.tokens.PictureTokens;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.util.List;
import java.util.SplittableRandom;

import static org.cogview2.training.coglm.CogLmTaskTestAccess.CODES;
import static org.cogview2.training.coglm.CogLmTaskTestAccess.ICE_TEXT;
import static org.cogview2.training.coglm.CogLmTaskTestAccess.entries;
import static org.cogview2.training.coglm.CogLmTaskTestAccess.grids;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The super-resolution tasks at a tiny size: they start from a CogLM folder (DSR's grid attention as a copy of the
 * layer's), their loss falls, and they write released-format DSR and iterative-SR folders; iterative SR's samples
 * mask exactly the cells of their LoPAR pass.
 */
class SuperResolutionTaskTest {

    @Test
    void bothModelsTrainFromCogLmAndWriteTheirFolders(@TempDir Path tmp) throws Exception {
        IceTextTokenizer text = IceTextTokenizer.load(ICE_TEXT);
        CogLmConfig size = new CogLmConfig(1, 32, 2, 2, 1.4f, 0, 0.2);
        TransformerConfig config = size.transformer(text.vocabularySize());
        Path coglm = tmp.resolve("coglm-run");
        try (NDManager manager = TrainingRuntime.newManager(1);
             CogLmTask task = new CogLmTask(manager, size, text, grids(20, 1), entries(), CODES, null, 1)) {
            task.export(coglm, 1);
        }
        for (SuperResolutionTask.Kind kind : SuperResolutionTask.Kind.values()) {
            Path out = tmp.resolve(kind.name());
            TrainingOptions options = TrainingOptions.builder().steps(12).learningRate(3e-3).warmupSteps(2).seed(3)
                    .threads(2).checkpointEvery(0).evalEvery(0).logEvery(1).outDir(out).showProgress(false).build();
            try (NDManager manager = TrainingRuntime.newManager(options.threads());
                 SuperResolutionTask task = new SuperResolutionTask(manager, kind, config, 1, text, grids(20, 1),
                         grids(60, 2), entries(), CODES, coglm.resolve("coglm"), null, 3)) {
                if (kind == SuperResolutionTask.Kind.DIRECT) {
                    assertArrayEquals(task.parameters().get("transformer.layers.0.attention.query_key_value.weight").toFloatArray(),
                            task.parameters().get("mixins.attention_plus.query_key_value.0.weight").toFloatArray(),
                            "the grid attention starts as the layer's own");
                }
                new Trainer().run(task, options);
            }
            List<Double> losses = TrainingLog.read(out.resolve("train-log.jsonl")).stream().map(TrainingLog.Entry::loss).toList();
            assertTrue(losses.get(11) < losses.get(0), kind + ": the loss should fall, got " + losses);
            SatModelFolder folder = SatModelFolder.open(out.resolve(kind.folder()));
            try (TorchCheckpoint checkpoint = TorchCheckpoint.open(folder.checkpointFile())) {
                (kind == SuperResolutionTask.Kind.DIRECT
                        ? TensorRequirements.cogview2Dsr(folder.config(), SatCheckpoints.NEW_SEQUENCE_LENGTH)
                        : TensorRequirements.cogview2IterSr(folder.config(), SatCheckpoints.NEW_SEQUENCE_LENGTH)).check(checkpoint);
            }
        }
    }

    @Test
    void iterativeSamplesMaskTheirPassAndLearnOnlyThere() {
        IceTextTokenizer text = IceTextTokenizer.load(ICE_TEXT);
        TransformerConfig config = new CogLmConfig(1, 32, 2, 1, 1.4f, 0, 0.2).transformer(text.vocabularySize());
        int soi = text.specialTokenId(org.cogview2.api.SpecialToken.START_OF_IMAGE);
        try (NDManager manager = TrainingRuntime.newManager(1);
             SuperResolutionTask task = new SuperResolutionTask(manager, SuperResolutionTask.Kind.ITERATIVE, config, 1, text,
                     grids(20, 1), grids(60, 2), entries(), CODES, null, null, 3)) {
            PictureTokens truth = grids(60, 2);
            for (int pass = 1; pass <= LoparSchedule.PASSES; pass++) {
                SuperResolutionTask.Sample s = task.sample(entries().get(0), "apple", org.cogview2.api.Style.MAINBODY, pass,
                        new SplittableRandom(pass));
                int[] t = truth.grid("a");
                int changed = 0;
                for (int k = 0; k < 3600; k++) {
                    boolean masked = LoparSchedule.remasked(pass, k, 60);
                    assertEquals(masked, s.input()[k] == soi, "cell " + k + " of pass " + pass);
                    assertEquals(masked ? 1f : 0f, s.weights()[k], "loss weight of cell " + k);
                    assertEquals(t[k], s.targets()[k]);
                    changed += !masked && s.input()[k] != t[k] ? 1 : 0;
                }
                assertTrue(changed > 0, "pass " + pass + ": some unmasked cells are corrupted as DSR leaves them");
            }
        }
    }
}
