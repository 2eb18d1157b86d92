package org.cogview2.dataset.emoji;

/** What a build tells while it runs. Called from worker threads: implementations must be thread-safe. */
public interface BuildProgress {

    /** A step began or ended ("reading emojibase", "writing manifest"). */
    void message(String line);

    /** {@code done} of {@code total} pictures are finished (rendered, reused or failed). */
    void pictures(int done, int total);

    /** Tells nothing. */
    BuildProgress SILENT = new BuildProgress() {
        @Override
        public void message(String line) {
        }

        @Override
        public void pictures(int done, int total) {
        }
    };
}
