package org.cogview2.training.core;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

class LossChartTest {

    private static TrainingLog.Entry step(long i, double loss, Map<String, Double> metrics) {
        return new TrainingLog.Entry(i, loss, 1e-3, 1, 1, i, metrics, Map.of());
    }

    @Test
    void alternatingObjectivesGetASeriesEachAndAnythingElseOne(@TempDir Path dir) throws Exception {
        List<TrainingLog.Entry> alternating = new ArrayList<>();
        for (int i = 1; i <= 100; i++) {
            boolean caption = i % 5 == 0;
            double loss = caption ? 7.0 - i * 0.01 : 4.0 - i * 0.01;
            alternating.add(step(i, loss, Map.of(caption ? "caption_loss" : "image_loss", loss)));
        }
        Map<String, List<TrainingLog.Entry>> kinds = LossChart.byKind(alternating);
        assertEquals(List.of("image_loss", "caption_loss"), List.copyOf(kinds.keySet()));
        assertEquals(80, kinds.get("image_loss").size());
        assertEquals(20, kinds.get("caption_loss").size());

        // one objective, or a loss that is not one of the metrics: a single series
        List<TrainingLog.Entry> plain = new ArrayList<>();
        for (int i = 1; i <= 10; i++) {
            plain.add(step(i, 1.0 / i, Map.of("token_accuracy", 0.1 * i)));
        }
        assertEquals(List.of("loss"), List.copyOf(LossChart.byKind(plain).keySet()));
        List<TrainingLog.Entry> single = alternating.stream().filter(e -> e.metrics().containsKey("image_loss")).toList();
        assertEquals(List.of("loss"), List.copyOf(LossChart.byKind(single).keySet()));

        Path png = dir.resolve("loss.png");
        LossChart.write(alternating, png, "coglm");
        assertTrue(Files.size(png) > 1000, "a PNG was drawn");
    }
}
