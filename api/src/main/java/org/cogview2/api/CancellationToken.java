package org.cogview2.api;

import java.time.Duration;
import java.time.Instant;

/**
 * Lets a caller stop a running generation from another thread, or give it a deadline. The generation checks the
 * token between forward steps, so cancellation takes effect within one step; everything it allocated is freed
 * and it throws {@link GenerationCancelledException}. Thread-safe.
 */
public final class CancellationToken {

    private volatile boolean cancelled;
    private final Instant deadline;

    private CancellationToken(Instant deadline) {
        this.deadline = deadline;
    }

    /** A token that is cancelled only by {@link #cancel()}. */
    public static CancellationToken create() {
        return new CancellationToken(null);
    }

    /** A token that also counts as cancelled once {@code timeout} has passed. */
    public static CancellationToken withTimeout(Duration timeout) {
        return new CancellationToken(Instant.now().plus(timeout));
    }

    public void cancel() {
        cancelled = true;
    }

    public boolean isCancelled() {
        return cancelled || (deadline != null && Instant.now().isAfter(deadline));
    }

    /** Throws {@link GenerationCancelledException} if cancelled or past the deadline. */
    public void throwIfCancelled() {
        if (cancelled) {
            throw new GenerationCancelledException("generation cancelled");
        }
        if (deadline != null && Instant.now().isAfter(deadline)) {
            throw new GenerationCancelledException("generation timed out (deadline " + deadline + ")");
        }
    }
}
