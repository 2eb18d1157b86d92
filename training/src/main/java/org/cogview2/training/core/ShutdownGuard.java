package org.cogview2.training.core;

import java.time.Duration;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

/**
 * Turns Ctrl-C (SIGINT, SIGTERM, any JVM shutdown) during a run into a clean stop: the hook asks the trainer to
 * stop after the current step and waits until the run has saved its state and exported the model, so the JVM
 * exits only then. Removed when the run ends.
 */
final class ShutdownGuard implements AutoCloseable {

    private final Thread hook;
    private final CountDownLatch finished = new CountDownLatch(1);

    private ShutdownGuard(Runnable requestStop, Duration maxWait) {
        this.hook = new Thread(() -> {
            requestStop.run();
            try {
                finished.await(maxWait.toMillis(), TimeUnit.MILLISECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }, "cogview2-train-shutdown");
    }

    /** Installs the hook when {@code enabled}; otherwise a guard that does nothing. */
    static ShutdownGuard install(boolean enabled, Runnable requestStop, Duration maxWait) {
        ShutdownGuard g = new ShutdownGuard(requestStop, maxWait);
        if (enabled) {
            Runtime.getRuntime().addShutdownHook(g.hook);
        }
        return g;
    }

    /** The run has finished (state saved or failed): lets a waiting shutdown proceed, removes the hook. */
    @Override
    public void close() {
        finished.countDown();
        try {
            Runtime.getRuntime().removeShutdownHook(hook);
        } catch (IllegalStateException shuttingDown) {
            // the hook is running: it returns now that the latch is open
        }
    }
}
