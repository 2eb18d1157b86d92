package org.cogview2.training.bench;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import org.cogview2.checkpoint.LayerNormOrder;
import org.cogview2.checkpoint.TensorRequirements;
import org.cogview2.checkpoint.TransformerConfig;
import org.cogview2.libtorch.LibtorchSatGraph;
import org.cogview2.libtorch.StateDictParams;
import org.cogview2.models.coglm.Stage1Layout;
import org.cogview2.training.core.ParameterStore;
import org.cogview2.training.core.StepOutput;
import org.cogview2.training.core.Trainer;
import org.cogview2.training.core.TrainingOptions;
import org.cogview2.training.core.TrainingReport;
import org.cogview2.training.core.TrainingRuntime;
import org.cogview2.training.core.TrainingTask;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.SplittableRandom;

/**
 * How fast a CogLM-shaped model trains here: forward, backward and AdamW through the whole trainer, on random ids
 * in the stage-1 layout (20 text ids, {@code <start_of_image>}, 400 image tokens), cross-entropy of the image
 * tokens under SAT's tied full-vocabulary head. Prints samples/s. Arguments: layers hidden heads batch steps.
 *
 * <pre>java -cp ... org.cogview2.training.bench.CogLmThroughput 6 256 8 8 12</pre>
 */
public final class CogLmThroughput {

    private static final int TEXT = 20;
    private static final int VOCAB = 26_003;

    private CogLmThroughput() {
    }

    public static void main(String[] args) throws Exception {
        int layers = arg(args, 0, 6), hidden = arg(args, 1, 256), heads = arg(args, 2, 8), batch = arg(args, 3, 8),
                steps = arg(args, 4, 12);
        TransformerConfig config = new TransformerConfig(layers, hidden, heads, VOCAB, 1024, LayerNormOrder.SANDWICH,
                4 * hidden, hidden / heads, java.util.Map.of());
        Path out = Files.createTempDirectory("coglm-throughput");
        TrainingOptions options = TrainingOptions.builder().steps(steps).learningRate(1e-4).warmupSteps(1).seed(1)
                .checkpointEvery(0).evalEvery(0).logEvery(1).outDir(out).showProgress(false).build();
        try (NDManager manager = TrainingRuntime.newManager(options.threads());
             Task task = new Task(manager, config, batch)) {
            long start = System.nanoTime();
            TrainingReport report = new Trainer().run(task, options);
            double seconds = (System.nanoTime() - start) / 1e9;
            System.out.printf("CogLM %d layers, hidden %d, vocabulary %d, sequence %d, batch %d: %d steps in %.1f s, "
                            + "%.2f samples/s (whole run, first step included); last loss %.3f%n", layers, hidden, VOCAB,
                    TEXT + 1 + Stage1Layout.IMAGE_TOKENS, batch, report.endStep(), seconds,
                    report.endStep() * batch / seconds, report.lastLoss());
        }
    }

    private static int arg(String[] args, int i, int fallback) {
        return args.length > i ? Integer.parseInt(args[i]) : fallback;
    }

    /** Random stage-1 sequences; the loss is the image tokens' cross-entropy. */
    private static final class Task implements TrainingTask<long[]> {
        private final ParameterStore store;
        private final LibtorchSatGraph graph;
        private final int batch;
        private final Stage1Layout layout = new Stage1Layout(TEXT, 0f);
        private final int length = TEXT + 1 + Stage1Layout.IMAGE_TOKENS;

        Task(NDManager manager, TransformerConfig config, int batch) {
            this.batch = batch;
            store = new ParameterStore(manager);
            SplittableRandom r = new SplittableRandom(1);
            for (TensorRequirements.Requirement q : TensorRequirements.satTransformer(config).requirements()) {
                if (q.optional()) {
                    continue;
                }
                int[] d = q.shape().dims();
                long[] s = new long[d.length];
                int n = 1;
                for (int i = 0; i < d.length; i++) {
                    s[i] = d[i];
                    n *= d[i];
                }
                float[] v = new float[n];
                boolean norm = q.key().contains("layernorm") && q.key().endsWith(".weight");
                for (int i = 0; i < n; i++) {
                    v[i] = norm ? 1f : q.key().endsWith(".bias") ? 0f : (float) (r.nextGaussian() * 0.02);
                }
                try (NDArray a = manager.create(v, new Shape(s))) {
                    store.addParameter(q.key(), a, !norm && !q.key().endsWith(".bias"));
                }
            }
            graph = new LibtorchSatGraph(config, StateDictParams.of(store.all()));
        }

        @Override
        public String name() {
            return "coglm-throughput";
        }

        @Override
        public ParameterStore parameters() {
            return store;
        }

        @Override
        public long[] batch(long seed, long index) {
            SplittableRandom r = new SplittableRandom(seed * 31 + index);
            long[] ids = new long[batch * length];
            for (int i = 0; i < ids.length; i++) {
                int p = i % length;
                ids[i] = p < TEXT ? 20_000 + r.nextInt(VOCAB - 20_000) : p == TEXT ? 20_000 : r.nextInt(20_000);
            }
            return ids;
        }

        @Override
        public long samplesIn(long[] b) {
            return batch;
        }

        @Override
        public StepOutput forward(NDManager step, long[] ids, long stepIndex) {
            int[] p = layout.positions(0, length);
            long[] positions = new long[length];
            for (int i = 0; i < length; i++) {
                positions[i] = p[i];
            }
            NDArray x = step.create(ids, new Shape(batch, length));
            NDArray hidden = graph.hidden(x, step.create(positions, new Shape(length)),
                    step.create(layout.maskRows(0, length), new Shape(length, length)), null);
            // Position i predicts token i + 1: the image tokens are predicted from <start_of_image> on.
            NDArray predicting = hidden.get(":, " + TEXT + ":" + (length - 1) + ", :");
            NDArray logits = graph.vocabularyLogits(predicting);
            NDArray targets = x.get(":, " + (TEXT + 1) + ":").toType(DataType.INT64, false).expandDims(-1);
            NDArray picked = logits.logSoftmax(-1).gather(targets, -1);
            return StepOutput.of(picked.mean().neg());
        }

        @Override
        public void export(Path outDir, long step) {
            // A throughput run writes no model.
        }
    }
}
