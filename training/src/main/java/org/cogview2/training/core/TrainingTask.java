package org.cogview2.training.core;

import ai.djl.ndarray.NDManager;

import java.io.IOException;
import java.nio.file.Path;
import java.util.Map;

/**
 * What is trained: a model's tensors, its data and its loss, plugged into the {@link Trainer}.
 *
 * <p>Contract, so that runs are reproducible and resumable:
 * <ul>
 *   <li>all trained and saved state lives in {@link #parameters()} (parameters and buffers); the trainer saves
 *       and restores exactly that, plus the optimizer;</li>
 *   <li>{@link #batch} is a pure function of {@code (seed, index)}: batch {@code i} is the same whether the run
 *       started at 0 or resumed at {@code i};</li>
 *   <li>{@link #forward} draws any randomness from libtorch's generator (the trainer reseeds it from the run's
 *       seed and the step index before every step) or from {@code stepIndex}, never from a clock.</li>
 * </ul>
 *
 * @param <B> a batch: plain Java data ({@code float[]}, {@code int[]}, records of them), not NDArrays, since it
 *            is made on the loader thread
 */
public interface TrainingTask<B> extends AutoCloseable {

    /** A short name ({@code image-tokenizer}); saved in the training state and checked on resume. */
    String name();

    /** The model's tensors; the trainer updates the parameters in place and saves the buffers. */
    ParameterStore parameters();

    /**
     * Batch number {@code index} (0-based; batch {@code i} feeds step {@code i}) of the run seeded with
     * {@code seed}. Called in index order from the loader thread, ahead of the training thread; must not touch
     * NDArrays. An exception here stops the run with a {@link BatchLoadingException} whose cause it is.
     */
    B batch(long seed, long index) throws Exception;

    /** Number of samples in a batch, for the samples/s figure (default 1: steps/s). */
    default long samplesIn(B batch) {
        return 1;
    }

    /**
     * The forward pass of step {@code stepIndex} (0-based), run inside a {@code GradientCollector}: builds the
     * loss from the store's arrays and the batch. Every array it creates must belong to {@code step}, which is
     * closed when the step ends; the store's arrays are temporarily attached to it for the step, so results of
     * operations on them land there too. Buffers may be updated in place: with in-place operations within
     * {@link NoGrad}, or from Java arrays with {@link ParameterStore#set} (not {@code NDArray.set(Buffer)}, which
     * moves the tensor into Java memory of another alignment and makes runs irreproducible). Never replace
     * the store's arrays, and do not cache arrays derived from them (a transposed weight) across steps: they are
     * freed with the step.
     */
    StepOutput forward(NDManager step, B batch, long stepIndex);

    /**
     * Writes the model in its released format into {@code outDir} (created already), after {@code step}
     * completed updates; called at every checkpoint and at the end, so it should replace files atomically.
     */
    void export(Path outDir, long step) throws IOException;

    /**
     * Optional evaluation, every {@code evalEvery} steps and at the last one, without autograd; {@code manager} is
     * closed afterwards. Returns named figures (PSNR, held-out loss) to log; default none.
     */
    default Map<String, Double> evaluate(NDManager manager) {
        return Map.of();
    }

    /** Releases what the task holds besides its store (files, caches); default nothing. */
    @Override
    default void close() {
    }
}
