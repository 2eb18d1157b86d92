package org.cogview2.api;

/**
 * Receives progress of long work: {@code completed} of {@code total} units (forward passes) of a stage. Called on
 * the generating thread; keep it quick.
 */
@FunctionalInterface
public interface ProgressListener {

    ProgressListener NONE = (stage, completed, total) -> { };

    void onProgress(Stage stage, int completed, int total);
}
