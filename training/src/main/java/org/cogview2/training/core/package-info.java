/**
 * The training loop of {@code cogview2 train}, generic over what is trained, on libtorch through DJL's PyTorch
 * engine.
 *
 * <p>A model plugs in as a {@link org.cogview2.training.core.TrainingTask}: it owns its tensors in a
 * {@link org.cogview2.training.core.ParameterStore}, produces batches as plain Java data from
 * {@code (seed, index)}, and computes a scalar loss as a functional libtorch graph. The
 * {@link org.cogview2.training.core.Trainer} does the rest: background batch loading, autograd,
 * global-norm gradient clipping, {@link org.cogview2.training.core.AdamW} with a warm-up + cosine
 * {@link org.cogview2.training.core.LearningRateSchedule}, deterministic seeding, atomic checkpoints that a
 * later run resumes bit-for-bit, a time budget, a progress bar, a JSONL log
 * ({@link org.cogview2.training.core.TrainingLog}) and a loss-curve PNG
 * ({@link org.cogview2.training.core.LossChart}).
 *
 * <p>Threading: everything that touches NDArrays runs on the thread that calls
 * {@link org.cogview2.training.core.Trainer#run}; libtorch's grad mode is thread-local, so tasks must not hand
 * NDArray work to other threads. Only {@link org.cogview2.training.core.TrainingTask#batch} runs on the loader
 * thread, and it returns plain Java data.
 */
package org.cogview2.training.core;
