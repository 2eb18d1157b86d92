package org.cogview2.api;

import java.time.Duration;

/** How long a stage took and how many forward passes it made. */
public record StageTiming(Stage stage, Duration elapsed, int forwardPasses) {
}
