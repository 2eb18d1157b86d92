package org.cogview2.cli;

import org.cogview2.api.StageTiming;

import java.util.List;
import java.util.Locale;
import java.util.stream.Collectors;

/** The one-line timing summary per stage. */
final class Timings {

    private Timings() {
    }

    static String summary(List<StageTiming> timings) {
        return timings.stream()
                .map(t -> String.format(Locale.ROOT, "%s %.2fs", t.stage().label(), t.elapsed().toNanos() / 1e9)
                        + (t.forwardPasses() > 0 ? " (" + t.forwardPasses() + " passes)" : ""))
                .collect(Collectors.joining(" | "));
    }
}
