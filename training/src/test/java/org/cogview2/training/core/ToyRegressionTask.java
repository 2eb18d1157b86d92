package org.cogview2.training.core;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import org.cogview2.checkpoint.TorchCheckpointWriter;
import org.cogview2.spi.DType;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.concurrent.CopyOnWriteArrayList;

/**
 * A two-layer MLP regressing a fixed linear teacher on Gaussian inputs, with one buffer (a moving average of the
 * inputs, updated in the forward pass): the smallest task that exercises parameters with and without decay,
 * buffers, metrics, evaluation and export.
 */
@SuppressWarnings("try")
class ToyRegressionTask implements TrainingTask<ToyRegressionTask.Batch> {

    static final int INPUTS = 4;
    static final int BATCH = 16;
    private static final float[] TEACHER = {0.5f, -1f, 2f, 0.3f};

    record Batch(float[] x, float[] y) {
    }

    private final ParameterStore store;
    private final int hidden;
    private final long failAtBatch;
    final List<Long> exports = new CopyOnWriteArrayList<>();

    ToyRegressionTask(NDManager manager, int hidden, long initSeed) {
        this(manager, hidden, initSeed, -1);
    }

    ToyRegressionTask(NDManager manager, int hidden, long initSeed, long failAtBatch) {
        this.hidden = hidden;
        this.failAtBatch = failAtBatch;
        this.store = new ParameterStore(manager);
        SplittableRandom r = new SplittableRandom(initSeed);
        try (NDManager init = manager.newSubManager()) {
            store.addParameter("fc1.weight", init.create(uniform(r, hidden * INPUTS, INPUTS), new Shape(hidden, INPUTS)), true);
            store.addParameter("fc1.bias", init.create(uniform(r, hidden, INPUTS), new Shape(hidden)), false);
            store.addParameter("fc2.weight", init.create(uniform(r, hidden, hidden), new Shape(1, hidden)), true);
            store.addParameter("fc2.bias", init.create(uniform(r, 1, hidden), new Shape(1)), false);
            store.addBuffer("input_mean", init.zeros(new Shape(INPUTS)));
        }
    }

    private static float[] uniform(SplittableRandom r, int n, int fanIn) {
        float[] v = new float[n];
        double bound = 1 / Math.sqrt(fanIn);
        for (int i = 0; i < n; i++) {
            v[i] = (float) ((r.nextDouble() * 2 - 1) * bound);
        }
        return v;
    }

    @Override
    public String name() {
        return "toy-regression";
    }

    @Override
    public ParameterStore parameters() {
        return store;
    }

    @Override
    public Batch batch(long seed, long index) {
        if (index == failAtBatch) {
            throw new IllegalStateException("broken sample in batch " + index);
        }
        SplittableRandom r = new SplittableRandom(seed * 31 + index);
        float[] x = new float[BATCH * INPUTS];
        float[] y = new float[BATCH];
        for (int b = 0; b < BATCH; b++) {
            double t = 0.1;
            for (int i = 0; i < INPUTS; i++) {
                float v = (float) r.nextGaussian();
                x[b * INPUTS + i] = v;
                t += TEACHER[i] * v;
            }
            y[b] = (float) (t + 0.01 * r.nextGaussian());
        }
        return new Batch(x, y);
    }

    @Override
    public long samplesIn(Batch batch) {
        return BATCH;
    }

    private NDArray predict(NDManager m, float[] x, int n) {
        NDArray in = m.create(x, new Shape(n, INPUTS));
        NDArray h = in.matMul(store.get("fc1.weight").transpose()).add(store.get("fc1.bias")).maximum(0f);
        return h.matMul(store.get("fc2.weight").transpose()).add(store.get("fc2.bias")).reshape(n);
    }

    @Override
    public StepOutput forward(NDManager step, Batch batch, long stepIndex) {
        NDArray prediction = predict(step, batch.x(), BATCH);
        NDArray error = prediction.sub(step.create(batch.y(), new Shape(BATCH)));
        NDArray loss = error.square().mean();
        try (NoGrad g = NoGrad.enter()) {
            NDArray mean = step.create(batch.x(), new Shape(BATCH, INPUTS)).mean(new int[]{0});
            store.get("input_mean").muli(0.9f).addi(mean.muli(0.1f));
        }
        Map<String, NDArray> metrics = new LinkedHashMap<>();
        metrics.put("mae", error.abs().mean());
        return new StepOutput(loss, metrics);
    }

    @Override
    public Map<String, Double> evaluate(NDManager manager) {
        Batch held = batch(-7, 0);
        NDArray error = predict(manager, held.x(), BATCH).sub(manager.create(held.y(), new Shape(BATCH)));
        return Map.of("heldout_mse", (double) error.square().mean().getFloat());
    }

    @Override
    public void export(Path outDir, long step) throws IOException {
        Map<String, TorchCheckpointWriter.Tensor> sd = new LinkedHashMap<>();
        store.all().forEach((k, v) -> sd.put(k, TorchCheckpointWriter.Tensor.of(DType.F32,
                TrainingSnapshot.dims(v.getShape().getShape()), v.toFloatArray())));
        TorchCheckpointWriter.saveStateDict(outDir.resolve("toy.pt"), sd);
        Files.writeString(outDir.resolve("toy.step"), Long.toString(step));
        exports.add(step);
    }

    /** Every tensor of the store, copied. */
    Map<String, float[]> snapshot() {
        Map<String, float[]> out = new LinkedHashMap<>();
        store.all().forEach((k, v) -> out.put(k, v.toFloatArray()));
        return out;
    }

    int hidden() {
        return hidden;
    }

    @Override
    public void close() {
        store.close();
    }
}
