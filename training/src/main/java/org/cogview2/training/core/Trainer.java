package org.cogview2.training.core;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.training.GradientCollector;
import org.cogview2.checkpoint.TorchCheckpointWriter;
import org.cogview2.spi.DType;
import org.cogview2.training.core.TrainingReport.StopReason;

import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Consumer;

/**
 * The training loop: runs a {@link TrainingTask} for the planned number of steps, or until its time budget or a
 * stop request, and leaves a resumable state and the exported model behind.
 *
 * <p>Each step, on the calling thread:
 * <ol>
 *   <li>takes batch {@code i} from the {@link BatchLoader} (made ahead on a background thread);</li>
 *   <li>reseeds libtorch's generator from {@code (seed, i)} (so a resumed run draws the same numbers);</li>
 *   <li>opens a step manager and temporarily attaches the store's and the optimizer's arrays to it, so every
 *       array the step creates, even as the result of an operation on a parameter, is freed when it closes;</li>
 *   <li>runs {@link TrainingTask#forward} inside a {@code GradientCollector} and back-propagates the loss;</li>
 *   <li>outside autograd: global-norm clipping, an {@link AdamW} update with the rate of the
 *       {@link LearningRateSchedule}, then zeroes the gradients (DJL 0.36 does not zero them for us, and libtorch
 *       accumulates);</li>
 *   <li>evaluates, logs, and checkpoints when due.</li>
 * </ol>
 * A checkpoint saves the state atomically ({@link TrainingStateStore}), calls {@link TrainingTask#export} and
 * redraws {@code loss.png}. One is made every {@code checkpointEvery} steps, at the end, when the time budget
 * would not allow another step, on {@link #requestStop()} or Ctrl-C, and when a batch fails to load.
 *
 * <p>A run with the same seed, options and thread count gives the same losses and parameters, bit for bit,
 * whether it ran through or was stopped and resumed any number of times.
 */
@SuppressWarnings("try") // scopes (NoGrad, step managers) are entered for their effect
public final class Trainer {

    /** Batches made ahead. */
    static final int PREFETCH = 4;
    private static final Duration SHUTDOWN_WAIT = Duration.ofMinutes(5);
    /** Updates skipped in a row (non-finite gradients) before a run is declared diverged. */
    static final int MAX_CONSECUTIVE_SKIPS = 5;

    private final List<Consumer<StepResult>> listeners = new CopyOnWriteArrayList<>();
    private final PrintStream progressStream;
    private volatile boolean stopRequested;

    /** A trainer drawing its progress bar on standard error. */
    public Trainer() {
        this(System.err);
    }

    /** A trainer drawing its progress bar (when enabled by the options) on {@code progressStream}. */
    public Trainer(PrintStream progressStream) {
        this.progressStream = Objects.requireNonNull(progressStream);
    }

    /** Calls {@code listener} on the training thread after every step. */
    public Trainer onStep(Consumer<StepResult> listener) {
        listeners.add(Objects.requireNonNull(listener));
        return this;
    }

    /**
     * Asks the running {@link #run} to stop after the current step, save its state and export; thread-safe.
     * {@link #run} clears a request made before it starts.
     */
    public void requestStop() {
        stopRequested = true;
    }

    /**
     * Trains {@code task} with {@code options}, on the calling thread. The task (and its store) stays open: the
     * caller owns and closes it. Create the task's manager with {@link TrainingRuntime#newManager(int)} so that
     * libtorch starts with the intended thread counts.
     *
     * @throws TrainingException     nothing to resume, a state of another task or shape (naming the tensors), a
     *                               state folder already in use by a fresh run, a non-finite loss or gradient
     * @throws BatchLoadingException when {@link TrainingTask#batch} threw (its exception is the cause); the
     *                               state is saved first
     * @throws IOException           when the state, log or model cannot be written
     */
    public <B> TrainingReport run(TrainingTask<B> task, TrainingOptions options) throws IOException {
        stopRequested = false;
        return new Run<>(task, options).execute();
    }

    /** A seed for libtorch's generator at step {@code index}: SplitMix64 of the run's seed and the index. */
    static long stepSeed(long seed, long index) {
        long z = seed + (index + 1) * 0x9E3779B97F4A7C15L;
        z = (z ^ (z >>> 30)) * 0xBF58476D1CE4E5B9L;
        z = (z ^ (z >>> 27)) * 0x94D049BB133111EBL;
        return (z ^ (z >>> 31)) & Long.MAX_VALUE;
    }

    /** The state of one call to {@link #run}. */
    private final class Run<B> {

        private final TrainingTask<B> task;
        private final TrainingOptions o;
        private final ParameterStore store;
        private final LearningRateSchedule schedule;
        private final TrainingStateStore states;
        private final Path logFile;
        private final Path chartFile;
        private final long startNanos = System.nanoTime();
        private final List<String> warnings = new ArrayList<>();

        private AdamW adam;
        private TrainingLogWriter log;
        private TrainingProgress progress;
        private TimeBudget budget;

        private long step;
        private long startStep;
        private long samples;
        private double elapsedBefore;
        private long lastSavedStep = -1;
        private boolean exported;
        private Path latestState;

        private double lastLoss = Double.NaN;
        private long skippedSteps;
        private int consecutiveSkips;
        private double lossAverage;
        private long averaged;
        private double samplesPerSecond;
        private long windowSamples;
        private long windowNanos;

        Run(TrainingTask<B> task, TrainingOptions options) {
            this.task = Objects.requireNonNull(task, "task");
            this.o = Objects.requireNonNull(options, "options");
            this.store = Objects.requireNonNull(task.parameters(), "task.parameters()");
            this.schedule = options.schedule();
            this.states = new TrainingStateStore(options.stateDir(), options.keepStates());
            this.logFile = options.outDir().resolve(TrainingLog.FILE_NAME);
            this.chartFile = options.outDir().resolve(LossChart.FILE_NAME);
        }

        TrainingReport execute() throws IOException {
            TrainingRuntime.configure(o.threads());
            TrainingRuntime.applyThreads(o.threads());
            Files.createDirectories(o.outDir());
            Files.createDirectories(o.stateDir());
            // The whole run is outside autograd; the collector turns it on for the forward pass only.
            try (NoGrad noGrad = NoGrad.enter(); AdamW optimizer = AdamW.of(store, o)) {
                this.adam = optimizer;
                long logOffset = begin();
                adam.zeroGradients(); // whatever a caller's earlier backward left
                budget = new TimeBudget(o.timeBudget(), startNanos, checkpointBytes(),
                        o.timeBudget() == null ? 0 : warmUpCheckpoint());
                try (TrainingLogWriter logWriter = TrainingLogWriter.open(logFile, logOffset);
                     BatchLoader<B> loader = new BatchLoader<>(task::batch, o.seed(), step, PREFETCH, task.name());
                     ShutdownGuard guard = ShutdownGuard.install(o.handleShutdown(), Trainer.this::requestStop,
                             SHUTDOWN_WAIT);
                     TrainingProgress bar = new TrainingProgress(o.showProgress(), progressStream, task.name(),
                             o.steps(), step)) {
                    this.log = logWriter;
                    this.progress = bar;
                    StopReason reason = loop(loader);
                    if (skippedSteps > 0) {
                        warnings.add(skippedSteps + " update(s) skipped for a non-finite gradient");
                    }
                    finish();
                    return new TrainingReport(task.name(), startStep, step, o.steps(), reason, lastLoss,
                            Duration.ofNanos(System.nanoTime() - startNanos), latestState, logFile,
                            Files.exists(chartFile) ? chartFile : null, warnings);
                }
            }
        }

        /** Restores the latest state when resuming; returns where the log continues. */
        private long begin() throws IOException {
            Optional<Path> latest = states.latest();
            if (!o.resume()) {
                if (latest.isPresent()) {
                    throw new TrainingException(o.stateDir() + " already holds a training state (" + latest.get()
                            .getFileName() + "): resume it, or give another state folder (or delete this one) to start"
                            + " afresh");
                }
                return 0;
            }
            Path folder = latest.orElseThrow(() -> new TrainingException("nothing to resume: " + o.stateDir()
                    + " holds no training state"));
            TrainingState saved = states.readScalars(folder);
            checkCompatible(saved, folder);
            Path tensors = folder.resolve(TrainingStateStore.TENSORS);
            states.readTensors(folder, sd -> TrainingSnapshot.restore(sd, store, adam, task.name(), tensors));
            adam.restoreStepCount(saved.optimizerSteps());
            step = startStep = saved.step();
            samples = saved.samples();
            elapsedBefore = saved.elapsedSeconds();
            lastSavedStep = saved.step();
            latestState = folder;
            return saved.logOffset();
        }

        private void checkCompatible(TrainingState saved, Path folder) {
            String where = "cannot resume from " + folder + ": ";
            if (!saved.task().equals(task.name())) {
                throw new TrainingException(where + "it is a state of task '" + saved.task() + "', not '"
                        + task.name() + "'");
            }
            if (saved.seed() != o.seed()) {
                throw new TrainingException(where + "it was made with seed " + saved.seed() + ", the options say "
                        + o.seed() + " (the batches would differ)");
            }
            // One schedule over the whole run, however many budgets it takes.
            Map<String, Object> now = o.describe();
            for (String key : List.of("steps", "learning_rate", "warmup_steps", "min_learning_rate_fraction")) {
                Object before = saved.options().get(key);
                if (before instanceof Number b && ((Number) now.get(key)).doubleValue() != b.doubleValue()) {
                    throw new TrainingException(where + "the schedule changed: " + key + " was " + before + ", now "
                            + now.get(key) + " (a resumed run follows the schedule it started with)");
                }
            }
            if (saved.step() > o.steps()) {
                throw new TrainingException(where + "it is at step " + saved.step() + ", beyond " + o.steps());
            }
            int threads = TrainingRuntime.threads();
            if (saved.threads() > 0 && saved.threads() != threads) {
                warnings.add("the state was saved with " + saved.threads() + " libtorch threads, this run uses "
                        + threads + ": results may differ from an uninterrupted run in the last bits");
            }
        }

        private StopReason loop(BatchLoader<B> loader) throws IOException {
            while (step < o.steps()) {
                if (stopRequested) {
                    return StopReason.STOP_REQUESTED;
                }
                long next = step + 1;
                if (!budget.allowsStep(evaluates(next))) {
                    return StopReason.TIME_BUDGET;
                }
                long t0 = System.nanoTime();
                B batch;
                try {
                    batch = loader.next();
                } catch (BatchLoadingException e) {
                    saveAfter(e); // the failed batch was never used: the state is consistent
                    throw e;
                }
                StepResult result = trainStep(batch, t0, logs(next));
                step = next;
                samples += result.samples();
                budget.recordStep(result.nanos());
                if (evaluates(step)) {
                    result = result.withEval(evaluate());
                }
                track(result);
                if (logs(step)) {
                    writeLog(result);
                }
                for (Consumer<StepResult> l : listeners) {
                    l.accept(result);
                }
                if (o.checkpointEvery() > 0 && step % o.checkpointEvery() == 0 && step < o.steps()) {
                    checkpoint();
                }
            }
            return StopReason.COMPLETED;
        }

        private boolean evaluates(long s) {
            return o.evalEvery() > 0 && (s % o.evalEvery() == 0 || s == o.steps());
        }

        /** Steps with a log line: a function of the step alone, so resumed and uninterrupted logs agree. */
        private boolean logs(long s) {
            return s % o.logEvery() == 0 || s == o.steps() || evaluates(s);
        }

        private StepResult trainStep(B batch, long t0, boolean readMetrics) {
            long index = step;
            Torch.manualSeed(stepSeed(o.seed(), index));
            try (NDManager scope = scope()) {
                StepOutput out;
                try (GradientCollector collector = store.manager().getEngine().newGradientCollector()) {
                    out = task.forward(scope, batch, index);
                    if (out.loss().size() != 1) {
                        throw new TrainingException("task '" + task.name() + "' returned a loss of shape "
                                + out.loss().getShape() + "; it must be a scalar");
                    }
                    collector.backward(out.loss());
                }
                double loss = scalar(out.loss());
                if (!Double.isFinite(loss)) {
                    throw diverged("the loss", loss, index);
                }
                Map<String, NDArray> gradients = adam.gradients(scope);
                double norm = GradientClipping.globalNorm(gradients.values());
                if (!Double.isFinite(norm)) {
                    // One overflowing batch must not end a run of hours: the update is skipped (parameters and
                    // optimizer untouched, so the run stays reproducible), and only a streak of them stops it.
                    if (++consecutiveSkips > MAX_CONSECUTIVE_SKIPS) {
                        throw diverged("the gradient norm", norm, index);
                    }
                    skippedSteps++;
                    if (skippedSteps <= 3) {
                        warnings.add("step " + (index + 1) + ": gradient norm " + norm + " (non-finite in "
                                + nonFinite(gradients) + "); the update was skipped");
                    }
                    Map<String, Double> metrics = new LinkedHashMap<>();
                    metrics.put("skipped_update", 1.0);
                    return new StepResult(index + 1, o.steps(), loss, schedule.at(index), norm, 0, task.samplesIn(batch),
                            System.nanoTime() - t0, metrics, Map.of());
                }
                consecutiveSkips = 0;
                double scale = GradientClipping.scale(norm, o.clipNorm());
                double lr = schedule.at(index);
                adam.step(gradients, lr, scale);
                Map<String, Double> metrics = new LinkedHashMap<>();
                if (readMetrics) {
                    out.metrics().forEach((k, v) -> metrics.put(k, scalar(v)));
                }
                return new StepResult(index + 1, o.steps(), loss, lr, norm, scale, task.samplesIn(batch),
                        System.nanoTime() - t0, metrics, Map.of());
            } finally {
                adam.zeroGradients();
            }
        }

        /** A manager for one step (or evaluation, or checkpoint) with the store's and optimizer's arrays attached. */
        private NDManager scope() {
            NDManager scope = store.manager().newSubManager();
            List<NDArray> arrays = new ArrayList<>(store.all().values());
            arrays.addAll(adam.stateArrays());
            scope.tempAttachAll(arrays.toArray(NDArray[]::new));
            return scope;
        }

        private TrainingException diverged(String what, double value, long index) {
            return new TrainingException(what + " of task '" + task.name() + "' is " + value + " at step "
                    + (index + 1) + "; the last saved state is "
                    + (latestState == null ? "none" : latestState.toString())
                    + " (lower the learning rate or check the data, then resume)");
        }

        private static String nonFinite(Map<String, NDArray> gradients) {
            List<String> names = new ArrayList<>();
            for (Map.Entry<String, NDArray> g : gradients.entrySet()) {
                if (names.size() < 4 && !Double.isFinite(GradientClipping.globalNorm(List.of(g.getValue())))) {
                    names.add(g.getKey());
                }
            }
            return names.isEmpty() ? "the sum only" : String.join(", ", names);
        }

        private Map<String, Double> evaluate() {
            long t0 = System.nanoTime();
            Map<String, Double> figures;
            try (NDManager scope = scope()) {
                figures = new LinkedHashMap<>(task.evaluate(scope));
            }
            budget.recordEvaluation(System.nanoTime() - t0);
            return figures;
        }

        private void track(StepResult r) {
            lastLoss = r.loss();
            lossAverage = 0.9 * lossAverage + 0.1 * r.loss();
            averaged++;
            double perStep = r.samples() / (r.nanos() / 1e9);
            samplesPerSecond = samplesPerSecond == 0 ? perStep : 0.9 * samplesPerSecond + 0.1 * perStep;
            windowSamples += r.samples();
            windowNanos += r.nanos();
            progress.update(step, lossAverage / (1 - Math.pow(0.9, averaged)), samplesPerSecond);
        }

        private void writeLog(StepResult r) throws IOException {
            double throughput = windowNanos == 0 ? 0 : windowSamples / (windowNanos / 1e9);
            log.append(r.step(), r.loss(), r.learningRate(), r.gradNorm(), throughput, elapsedSeconds(),
                    r.metrics(), r.eval());
            windowSamples = 0;
            windowNanos = 0;
        }

        private double elapsedSeconds() {
            return elapsedBefore + (System.nanoTime() - startNanos) / 1e9;
        }

        /** Saves the state of the current step, exports the model and redraws the chart. */
        private void checkpoint() throws IOException {
            long t0 = System.nanoTime();
            progress.message("saving step " + step);
            log.flush();
            TrainingState state = new TrainingState(task.name(), step, o.seed(), samples, elapsedSeconds(),
                    log.position(), adam.stepCount(), TrainingRuntime.threads(), o.describe());
            try (NDManager scope = scope()) {
                latestState = states.write(state, TrainingSnapshot.capture(store, adam));
                lastSavedStep = step;
                task.export(o.outDir(), step);
            }
            exported = true;
            chart();
            budget.recordCheckpoint(System.nanoTime() - t0);
        }

        private void finish() throws IOException {
            if (step != lastSavedStep) {
                checkpoint();
            } else if (!exported) { // resumed at the end, or stopped before the first step: outDir still gets the model
                try (NDManager scope = scope()) {
                    task.export(o.outDir(), step);
                }
                exported = true;
                chart();
            }
        }

        private void saveAfter(TrainingException failure) {
            try {
                if (step != lastSavedStep) {
                    checkpoint();
                }
            } catch (IOException | RuntimeException e) {
                failure.addSuppressed(e);
            }
        }

        private void chart() {
            try {
                LossChart.write(TrainingLog.read(logFile), chartFile, task.name());
            } catch (IOException | RuntimeException | LinkageError | java.awt.AWTError e) {
                String warning = "could not draw " + chartFile + ": " + e;
                if (!warnings.contains(warning)) {
                    warnings.add(warning);
                }
            }
        }

        /**
         * Rehearses the fixed-cost part of a checkpoint (a one-element state, a full-size chart) twice: the first
         * time pays the class loading of the writer, Jackson, XChart and Java2D (most of a second in a fresh JVM),
         * which would otherwise fall on the first real checkpoint unforeseen; the second measures the cost that
         * recurs. Only runs with a time budget do this.
         */
        private long warmUpCheckpoint() throws IOException {
            miniCheckpoint();
            long t0 = System.nanoTime();
            miniCheckpoint();
            return System.nanoTime() - t0;
        }

        private void miniCheckpoint() throws IOException {
            Path scratch = o.stateDir().resolve(".partial-warm-up-" + ProcessHandle.current().pid() + "-"
                    + System.nanoTime());
            try {
                Files.createDirectories(scratch);
                TorchCheckpointWriter.saveStateDict(scratch.resolve(TrainingStateStore.TENSORS),
                        Map.of("warm-up", TorchCheckpointWriter.Tensor.of(DType.F32, new int[]{1}, new float[1])));
                Path json = scratch.resolve(TrainingStateStore.SCALARS);
                Files.writeString(json, new TrainingState(task.name(), 0, o.seed(), 0, 0, 0, 0, 0, o.describe()).toJson());
                TrainingState.fromJson(Files.readString(json), json);
                LossChart.rehearse();
            } finally {
                TrainingStateStore.deleteTree(scratch);
            }
        }

        private long checkpointBytes() {
            long params = store.parameterCount();
            long all = 0;
            for (NDArray a : store.all().values()) {
                all += a.size();
            }
            return (3 * params + (all - params) + all) * Float.BYTES;
        }
    }

    /** The value of a one-element array of any numeric type. */
    static double scalar(NDArray a) {
        if (a.size() != 1) {
            throw new IllegalArgumentException("expected one element, got shape " + a.getShape()
                    + (a.getName() == null ? "" : " (" + a.getName() + ")"));
        }
        NDArray f = a.getDataType() == DataType.FLOAT32 ? a : a.toType(DataType.FLOAT32, false);
        float[] v = f.toFloatArray();
        return v[0];
    }
}
