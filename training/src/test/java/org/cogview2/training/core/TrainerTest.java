package org.cogview2.training.core;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import org.cogview2.checkpoint.TorchCheckpoint;
import org.cogview2.training.core.TrainingReport.StopReason;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.Map;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The loop end to end on a toy MLP, on libtorch (CPU, one thread). */
@Timeout(120)
class TrainerTest {

    private static final int HIDDEN = 8;
    private static final long INIT_SEED = 3;

    private static NDManager root;

    @BeforeAll
    static void engine() {
        root = TrainingRuntime.newManager(1);
    }

    @AfterAll
    static void close() {
        root.close();
    }

    private static TrainingOptions.Builder options(Path dir, long steps) {
        return TrainingOptions.builder().steps(steps).learningRate(0.01).warmupSteps(5).minLearningRateFraction(0.1)
                .weightDecay(0.01).clipNorm(1.0).seed(7).checkpointEvery(10).logEvery(1).evalEvery(10)
                .outDir(dir).threads(1).showProgress(false).handleShutdown(false);
    }

    private static ToyRegressionTask toy() {
        return new ToyRegressionTask(root, HIDDEN, INIT_SEED);
    }

    @Test
    void lossGoesDownAndEveryOutputIsWritten(@TempDir Path dir) throws IOException {
        List<Integer> liveArrays = new ArrayList<>();
        try (ToyRegressionTask task = toy()) {
            ParameterStore store = task.parameters();
            Trainer trainer = new Trainer().onStep(r -> liveArrays.add(store.manager().getManagedArrays().size()));
            TrainingReport report = trainer.run(task, options(dir, 60).learningRate(0.03).build());

            assertEquals(StopReason.COMPLETED, report.stopReason());
            assertEquals(60, report.endStep());
            List<TrainingLog.Entry> log = TrainingLog.read(dir.resolve(TrainingLog.FILE_NAME));
            assertEquals(60, log.size());
            double first = mean(log.subList(0, 5));
            double last = mean(log.subList(55, 60));
            assertTrue(last < first / 3, "loss " + first + " -> " + last);

            // No array outlives its step: the store's manager holds the same arrays after every step.
            assertEquals(60, liveArrays.size());
            assertTrue(liveArrays.stream().allMatch(n -> n.equals(liveArrays.getFirst())), liveArrays.toString());

            TrainingLog.Entry e10 = log.get(9);
            assertEquals(10, e10.step());
            assertTrue(e10.eval().containsKey("heldout_mse"), "evaluated every 10 steps");
            assertTrue(log.get(8).eval().isEmpty());
            assertTrue(e10.metrics().containsKey("mae"));
            assertTrue(e10.samplesPerSecond() > 0 && e10.elapsedSeconds() > 0 && e10.gradNorm() > 0);
            LearningRateSchedule schedule = options(dir, 60).learningRate(0.03).build().schedule();
            for (TrainingLog.Entry e : log) {
                assertEquals(schedule.at(e.step() - 1), e.learningRate(), 1e-12, "lr of step " + e.step());
            }

            Path png = dir.resolve(LossChart.FILE_NAME);
            assertEquals(png, report.lossChart(), report.warnings().toString());
            byte[] head = Files.readAllBytes(png);
            assertTrue(head.length > 1000 && head[1] == 'P' && head[2] == 'N' && head[3] == 'G');
            assertEquals("60", Files.readString(dir.resolve("toy.step")));
            assertTrue(task.exports.containsAll(List.of(10L, 20L, 50L, 60L)), task.exports.toString());
            try (TorchCheckpoint exported = TorchCheckpoint.open(dir.resolve("toy.pt"))) {
                assertArrayEquals(task.snapshot().get("fc1.weight"), exported.stateDict().get("fc1.weight").toFloats());
            }
            assertEquals(List.of("step-000000050", "step-000000060"), stateFolders(dir.resolve("state")), "keeps 2");
            try (TorchCheckpoint state = TorchCheckpoint.open(report.latestState().resolve("state.pt"))) {
                assertEquals(List.of("param.fc1.weight", "param.fc1.bias", "param.fc2.weight", "param.fc2.bias",
                        "exp_avg.fc1.weight", "exp_avg.fc1.bias", "exp_avg.fc2.weight", "exp_avg.fc2.bias",
                        "exp_avg_sq.fc1.weight", "exp_avg_sq.fc1.bias", "exp_avg_sq.fc2.weight",
                        "exp_avg_sq.fc2.bias", "buffer.input_mean"), List.copyOf(state.stateDict().keySet()));
                assertArrayEquals(task.snapshot().get("input_mean"), state.stateDict().get("buffer.input_mean").toFloats());
            }
        }
    }

    @Test
    void aStoppedAndResumedRunEqualsAnUninterruptedOne(@TempDir Path dir) throws IOException {
        Reference reference = uninterrupted(dir.resolve("a"));

        Path b = dir.resolve("b");
        try (ToyRegressionTask task = toy()) {
            Trainer trainer = new Trainer();
            trainer.onStep(r -> {
                if (r.step() == 13) {
                    trainer.requestStop();
                }
            });
            TrainingReport first = trainer.run(task, options(b, 30).build());
            assertEquals(StopReason.STOP_REQUESTED, first.stopReason());
            assertEquals(13, first.endStep());
            assertEquals("13", Files.readString(b.resolve("toy.step")), "exported on stop");
        }
        // A crash after the state of step 13 leaves lines the resumed run must not duplicate.
        Files.writeString(b.resolve(TrainingLog.FILE_NAME), "{\"step\":14,\"loss\":1.0}\n{\"step\":15,",
                StandardOpenOption.APPEND);
        try (ToyRegressionTask task = toy()) {
            TrainingReport second = new Trainer().run(task, options(b, 30).resume(true).build());
            assertEquals(13, second.startStep());
            assertEquals(StopReason.COMPLETED, second.stopReason());
            assertSameRun(reference, task, b);
        }
    }

    @Test
    void aRunStoppedByItsTimeBudgetResumesToTheSameResult(@TempDir Path dir) throws IOException {
        Reference reference = uninterrupted(dir.resolve("a"));

        Path b = dir.resolve("b");
        TrainingReport first;
        try (ToyRegressionTask task = new SlowToy(root, HIDDEN, INIT_SEED)) {
            first = new Trainer().run(task, options(b, 30).timeBudget("1500ms").build());
        }
        assertEquals(StopReason.TIME_BUDGET, first.stopReason());
        assertTrue(first.endStep() < 30, "stopped at " + first.endStep());
        // The state is written before the budget ends (slack for a loaded machine).
        assertTrue(first.elapsed().toMillis() < 1500 + 1000, "took " + first.elapsed());
        assertEquals(Long.toString(first.endStep()), Files.readString(b.resolve("toy.step")));
        try (ToyRegressionTask task = toy()) {
            TrainingReport second = new Trainer().run(task, options(b, 30).resume(true).build());
            assertEquals(first.endStep(), second.startStep());
            assertSameRun(reference, task, b);
        }
    }

    private record Reference(List<TrainingLog.Entry> log, Map<String, float[]> tensors) {
    }

    private static Reference uninterrupted(Path dir) throws IOException {
        try (ToyRegressionTask task = toy()) {
            new Trainer().run(task, options(dir, 30).build());
            return new Reference(TrainingLog.read(dir.resolve(TrainingLog.FILE_NAME)), task.snapshot());
        }
    }

    private static void assertSameRun(Reference reference, ToyRegressionTask resumed, Path dir) throws IOException {
        List<TrainingLog.Entry> log = TrainingLog.read(dir.resolve(TrainingLog.FILE_NAME));
        assertEquals(reference.log().size(), log.size(), "one line per step, none twice");
        for (int i = 0; i < log.size(); i++) {
            TrainingLog.Entry want = reference.log().get(i);
            TrainingLog.Entry got = log.get(i);
            assertEquals(want.step(), got.step());
            assertEquals(want.loss(), got.loss(), 0, "loss of step " + want.step());
            assertEquals(want.gradNorm(), got.gradNorm(), 0, "grad norm of step " + want.step());
            assertEquals(want.learningRate(), got.learningRate(), 0);
            assertEquals(want.metrics(), got.metrics());
            assertEquals(want.eval(), got.eval());
        }
        Map<String, float[]> tensors = resumed.snapshot();
        for (Map.Entry<String, float[]> e : reference.tensors().entrySet()) {
            assertArrayEquals(e.getValue(), tensors.get(e.getKey()), 0f, e.getKey());
        }
    }

    @Test
    void resumingAnotherShapeNamesTheTensorAndBothShapes(@TempDir Path dir) throws IOException {
        try (ToyRegressionTask task = toy()) {
            new Trainer().run(task, options(dir, 3).warmupSteps(0).build());
        }
        try (ToyRegressionTask task = new ToyRegressionTask(root, 6, INIT_SEED)) {
            TrainingException e = assertThrows(TrainingException.class,
                    () -> new Trainer().run(task, options(dir, 3).warmupSteps(0).resume(true).build()));
            assertTrue(e.getMessage().contains("'param.fc1.weight' has shape [8, 4] in the state but [6, 4]"),
                    e.getMessage());
            assertTrue(e.getMessage().contains("exp_avg.fc2.weight"), e.getMessage());
        }
    }

    @Test
    void refusesToResumeNothingOrToOverwriteAState(@TempDir Path dir) throws IOException {
        try (ToyRegressionTask task = toy()) {
            TrainingException none = assertThrows(TrainingException.class,
                    () -> new Trainer().run(task, options(dir, 3).warmupSteps(0).resume(true).build()));
            assertTrue(none.getMessage().contains("nothing to resume"), none.getMessage());
            new Trainer().run(task, options(dir, 3).warmupSteps(0).build());
            TrainingException used = assertThrows(TrainingException.class,
                    () -> new Trainer().run(task, options(dir, 3).warmupSteps(0).build()));
            assertTrue(used.getMessage().contains("already holds a training state"), used.getMessage());
            TrainingException seed = assertThrows(TrainingException.class,
                    () -> new Trainer().run(task, options(dir, 3).warmupSteps(0).seed(8).resume(true).build()));
            assertTrue(seed.getMessage().contains("seed 7"), seed.getMessage());
            TrainingException schedule = assertThrows(TrainingException.class,
                    () -> new Trainer().run(task, options(dir, 6).warmupSteps(0).resume(true).build()));
            assertTrue(schedule.getMessage().contains("steps was 3"), schedule.getMessage());
        }
    }

    @Test
    void aFailingBatchSurfacesWithItsCauseAfterSavingTheState(@TempDir Path dir) throws IOException {
        try (ToyRegressionTask task = new ToyRegressionTask(root, HIDDEN, INIT_SEED, 5)) {
            BatchLoadingException e = assertThrows(BatchLoadingException.class,
                    () -> new Trainer().run(task, options(dir, 20).build()));
            assertEquals(5, e.index());
            assertInstanceOf(IllegalStateException.class, e.getCause());
            assertEquals("broken sample in batch 5", e.getCause().getMessage());
            assertEquals(List.of("step-000000005"), stateFolders(dir.resolve("state")));
        }
        assertFalse(Thread.getAllStackTraces().keySet().stream()
                .anyMatch(t -> t.getName().startsWith("cogview2-batches-") && t.isAlive()), "loader thread stopped");
    }

    @Test
    void gradientsDoNotAccumulateAndClippingUsesThePreClipNorm(@TempDir Path dir) throws IOException {
        List<StepResult> results = new ArrayList<>();
        try (ToyRegressionTask task = new SameBatchToy(root, HIDDEN, INIT_SEED)) {
            // lr 0: the parameters never change, so every step must see the very same gradient.
            new Trainer().onStep(results::add).run(task,
                    options(dir, 4).learningRate(0).warmupSteps(0).clipNorm(1e-3).evalEvery(0).build());
        }
        assertEquals(4, results.size());
        for (StepResult r : results) {
            assertEquals(results.getFirst().gradNorm(), r.gradNorm(), 0, "step " + r.step());
            assertEquals(1e-3 / (r.gradNorm() + 1e-6), r.clipScale(), 1e-12);
        }
        assertTrue(results.getFirst().gradNorm() > 1e-2);
    }

    @Test
    void theLogReaderSkipsAnUnfinishedLastLine(@TempDir Path dir) throws IOException {
        Path file = dir.resolve("log.jsonl");
        Files.writeString(file, "{\"step\":1,\"loss\":2.5,\"lr\":0.1,\"grad_norm\":\"NaN\",\"metrics\":{\"a\":1}}\n\n"
                + "{\"step\":2,\"lo", StandardCharsets.UTF_8);
        List<TrainingLog.Entry> log = TrainingLog.read(file);
        assertEquals(1, log.size());
        assertEquals(2.5, log.getFirst().loss());
        assertTrue(Double.isNaN(log.getFirst().gradNorm()));
        assertEquals(Map.of("a", 1.0), log.getFirst().metrics());
        Files.writeString(file, "not json\n");
        IOException e = assertThrows(IOException.class, () -> TrainingLog.read(file));
        assertTrue(e.getMessage().contains("line 1"), e.getMessage());
        assertNotNull(TrainingLog.read(dir.resolve("absent.jsonl")));
    }

    private static double mean(List<TrainingLog.Entry> entries) {
        return entries.stream().mapToDouble(TrainingLog.Entry::loss).average().orElseThrow();
    }

    private static List<String> stateFolders(Path stateDir) throws IOException {
        try (Stream<Path> s = Files.list(stateDir)) {
            return s.map(p -> p.getFileName().toString()).sorted().toList();
        }
    }

    /** Batches take 40 ms to make (30 steps: over a second), so that a small budget stops the run part-way. */
    /**
     * 100 ms a step on the training thread, so 30 steps take three seconds whatever the machine: a 1.5 s budget
     * always ends the run early (a sleep in the loader would be hidden by its read-ahead on a fast machine).
     */
    private static final class SlowToy extends ToyRegressionTask {
        SlowToy(NDManager m, int hidden, long seed) {
            super(m, hidden, seed);
        }

        @Override
        public StepOutput forward(NDManager step, Batch batch, long stepIndex) {
            try {
                Thread.sleep(100);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            return super.forward(step, batch, stepIndex);
        }
    }

    /** Every step gets batch 0. */
    @Test
    void aNonFiniteGradientSkipsThatUpdateAndAStreakStopsTheRun(@TempDir Path dir) throws IOException {
        List<StepResult> results = new ArrayList<>();
        try (ToyRegressionTask task = new NanGradientToy(root, HIDDEN, INIT_SEED, Set.of(3L, 4L))) {
            TrainingReport report = new Trainer().onStep(results::add).run(task, options(dir.resolve("a"), 12).build());
            assertEquals(TrainingReport.StopReason.COMPLETED, report.stopReason());
            assertEquals(12, results.size());
            for (StepResult r : results) {
                boolean poisoned = r.step() == 4 || r.step() == 5;
                assertEquals(poisoned, !Double.isFinite(r.gradNorm()), "step " + r.step());
                assertTrue(Double.isFinite(r.loss()));
            }
            assertTrue(report.warnings().stream().anyMatch(w -> w.startsWith("2 update(s) skipped")), report.warnings().toString());
            assertTrue(report.warnings().stream().anyMatch(w -> w.contains("fc1.weight")), "names the parameter: " + report.warnings());
            for (NDArray p : task.parameters().parameters().values()) {
                for (float v : p.toFloatArray()) {
                    assertTrue(Float.isFinite(v), "parameters stay finite");
                }
            }
        }
        try (ToyRegressionTask task = new NanGradientToy(root, HIDDEN, INIT_SEED, Set.of(2L, 3L, 4L, 5L, 6L, 7L, 8L))) {
            TrainingException e = assertThrows(TrainingException.class,
                    () -> new Trainer().run(task, options(dir.resolve("b"), 12).build()));
            assertTrue(e.getMessage().contains("gradient norm") && e.getMessage().contains("step 8"), e.getMessage());
        }
    }

    /** Adds {@code sqrt(0 * w)} to the loss at the given steps: 0 in the forward pass, a NaN gradient for {@code fc1.weight}. */
    private static final class NanGradientToy extends ToyRegressionTask {
        private final Set<Long> poisoned;

        NanGradientToy(NDManager m, int hidden, long seed, Set<Long> poisoned) {
            super(m, hidden, seed);
            this.poisoned = poisoned;
        }

        @Override
        public StepOutput forward(NDManager step, Batch batch, long stepIndex) {
            StepOutput out = super.forward(step, batch, stepIndex);
            if (!poisoned.contains(stepIndex)) {
                return out;
            }
            NDArray zero = parameters().get("fc1.weight").mul(0f).sqrt().sum();
            return new StepOutput(out.loss().add(zero), out.metrics());
        }
    }

    private static final class SameBatchToy extends ToyRegressionTask {
        SameBatchToy(NDManager m, int hidden, long seed) {
            super(m, hidden, seed);
        }

        @Override
        public Batch batch(long seed, long index) {
            return super.batch(seed, 0);
        }
    }
}
