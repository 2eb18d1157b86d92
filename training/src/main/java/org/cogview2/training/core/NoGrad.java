package org.cogview2.training.core;

import ai.djl.pytorch.jni.JniUtils;

/**
 * A scope in which libtorch records no autograd graph, like {@code torch.no_grad()}: for in-place updates of
 * parameters (the optimizer) and buffers (moving averages), and for evaluation.
 *
 * <p>libtorch's grad mode is <em>thread-local</em> and enabled by default on every thread but the one that
 * started the engine, and DJL's {@code GradientCollector} restores the mode it found when it closes. So code
 * that must not be recorded cannot rely on "outside a collector" and says so explicitly:
 * <pre>{@code try (NoGrad g = NoGrad.enter()) { buffer.muli(0.99f).addi(update); }}</pre>
 * A scope belongs to the thread that entered it; scopes nest (each restores the mode it found).
 */
public final class NoGrad implements AutoCloseable {

    private final boolean previous;
    private final Thread owner = Thread.currentThread();
    private boolean closed;

    private NoGrad(boolean previous) {
        this.previous = previous;
    }

    /** Turns autograd recording off on this thread until {@link #close()}. */
    public static NoGrad enter() {
        TrainingRuntime.engine(); // JniUtils needs the native library loaded
        boolean previous = JniUtils.isGradMode();
        JniUtils.setGradMode(false);
        return new NoGrad(previous);
    }

    /** Restores the grad mode found by {@link #enter()}. Idempotent. */
    @Override
    public void close() {
        if (closed) {
            return;
        }
        if (Thread.currentThread() != owner) {
            throw new IllegalStateException("a NoGrad scope must be closed by the thread that entered it ("
                    + owner.getName() + ")");
        }
        closed = true;
        JniUtils.setGradMode(previous);
    }
}
