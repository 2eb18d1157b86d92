package org.cogview2.api;

import java.util.Objects;

/** How a caller follows and stops long work: a progress listener and a cancellation token. */
public record RunControl(ProgressListener listener, CancellationToken cancellation) {

    public RunControl {
        Objects.requireNonNull(listener, "listener");
        Objects.requireNonNull(cancellation, "cancellation");
    }

    /** No progress reports, never cancelled. */
    public static RunControl none() {
        return new RunControl(ProgressListener.NONE, CancellationToken.create());
    }

    /** Reports progress and checks for cancellation; call between forward steps. */
    public void step(Stage stage, int completed, int total) {
        cancellation.throwIfCancelled();
        listener.onProgress(stage, completed, total);
    }
}
