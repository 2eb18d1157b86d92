package org.cogview2.models.pipeline;

import org.cogview2.api.Stage;
import org.cogview2.api.StageTiming;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Supplier;

/** Times the stages of one run. */
final class Stopwatch {

    private final List<StageTiming> timings = new ArrayList<>();

    <T> T time(Stage stage, int forwardPasses, Supplier<T> work) {
        long start = System.nanoTime();
        T result = work.get();
        timings.add(new StageTiming(stage, Duration.ofNanos(System.nanoTime() - start), forwardPasses));
        return result;
    }

    List<StageTiming> timings() {
        return List.copyOf(timings);
    }
}
