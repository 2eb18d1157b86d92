package org.cogview2.cli;

import me.tongfei.progressbar.ProgressBar;
import me.tongfei.progressbar.ProgressBarBuilder;
import me.tongfei.progressbar.ProgressBarStyle;
import org.cogview2.api.ProgressListener;
import org.cogview2.api.Stage;

import java.io.PrintStream;
import java.util.EnumMap;
import java.util.Map;

/** One progress bar per stage on standard error, drawn by the progressbar library. */
final class ProgressBars implements ProgressListener, AutoCloseable {

    private final Map<Stage, ProgressBar> bars = new EnumMap<>(Stage.class);
    private final java.util.Set<Stage> finished = java.util.EnumSet.noneOf(Stage.class);
    private final PrintStream stream;
    private final boolean enabled;

    ProgressBars(PrintStream stream, boolean enabled) {
        this.stream = stream;
        this.enabled = enabled;
    }

    @Override
    public synchronized void onProgress(Stage stage, int completed, int total) {
        if (!enabled) {
            return;
        }
        if (finished.contains(stage) && completed < total) {
            finished.remove(stage); // the stage runs again (another batch)
        }
        if (finished.contains(stage)) {
            return;
        }
        ProgressBar bar = bars.computeIfAbsent(stage, s -> {
            closeAll();
            return new ProgressBarBuilder()
                    .setTaskName(s.label())
                    .setInitialMax(total)
                    .setStyle(ProgressBarStyle.ASCII)
                    .setConsumer(new me.tongfei.progressbar.ConsoleProgressBarConsumer(stream))
                    .setUpdateIntervalMillis(200)
                    .build();
        });
        bar.maxHint(total);
        bar.stepTo(completed);
        if (completed >= total) {
            bar.close(); // prints the final state and stops the clock of this stage
            bars.remove(stage);
            finished.add(stage);
        }
    }

    private void closeAll() {
        bars.values().forEach(ProgressBar::close);
        bars.clear();
    }

    @Override
    public synchronized void close() {
        closeAll();
    }
}
