package org.cogview2.training.core;

import me.tongfei.progressbar.ConsoleProgressBarConsumer;
import me.tongfei.progressbar.ProgressBar;
import me.tongfei.progressbar.ProgressBarBuilder;
import me.tongfei.progressbar.ProgressBarStyle;

import java.io.PrintStream;
import java.time.Duration;
import java.util.Locale;

/**
 * The progress bar of a run on standard error (me.tongfei progressbar, as the rest of the CLI): step/steps, ETA
 * from this run's pace (a resumed run starts at its step), and the smoothed loss and samples/s as its message.
 */
final class TrainingProgress implements AutoCloseable {

    private final ProgressBar bar;

    TrainingProgress(boolean enabled, PrintStream stream, String task, long steps, long startStep) {
        this.bar = !enabled ? null : new ProgressBarBuilder()
                .setTaskName("train " + task)
                .setInitialMax(steps)
                .setStyle(ProgressBarStyle.ASCII)
                .setConsumer(new ConsoleProgressBarConsumer(stream))
                .setUpdateIntervalMillis(500)
                .startsFrom(startStep, Duration.ZERO)
                .build();
    }

    void update(long step, double smoothedLoss, double samplesPerSecond) {
        if (bar != null) {
            bar.stepTo(step);
            bar.setExtraMessage(String.format(Locale.ROOT, "loss %.4g, %.1f samples/s", smoothedLoss, samplesPerSecond));
        }
    }

    void message(String text) {
        if (bar != null) {
            bar.setExtraMessage(text);
        }
    }

    @Override
    public void close() {
        if (bar != null) {
            bar.close();
        }
    }
}
