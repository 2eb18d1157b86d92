package org.cogview2.api;

import java.util.List;

/**
 * The images of a generation, in output order (best first when post-selection ran), and per-stage timings.
 *
 * @param peakBackendBytes the most memory the backend held for tensors during the run (all concurrent runs included)
 */
public record GenerationResult(List<GeneratedImage> images, List<StageTiming> timings, long peakBackendBytes) {

    public GenerationResult {
        images = List.copyOf(images);
        timings = List.copyOf(timings);
    }
}
