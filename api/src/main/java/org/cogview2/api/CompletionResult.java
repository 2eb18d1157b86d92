package org.cogview2.api;

import java.util.List;

/**
 * The completed pictures (480x480, the original outside the re-generated crop) and per-stage timings.
 */
public record CompletionResult(List<RgbImage> images, List<StageTiming> timings) {

    public CompletionResult {
        images = List.copyOf(images);
        timings = List.copyOf(timings);
    }
}
