package org.cogview2.cli.evaluation;

import org.cogview2.api.RgbImage;
import org.cogview2.dataset.ManifestEntry;
import org.junit.jupiter.api.Test;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The prompt-following metric is sound: every data-set picture, given as a query, finds itself first; a 480 version
 * of a picture finds its 160 version; and a lightly disturbed picture still finds its own emoji.
 */
class RetrievalIndexTest {

    /** Shapes of many colours and places on white, two "styles" (filled, outlined) per emoji. */
    static RgbImage picture(int emoji, boolean outlined, int side, double noise, long seed) {
        SplittableRandom shape = new SplittableRandom(emoji * 7919L);
        float r = (float) shape.nextDouble(), g = (float) shape.nextDouble(), b = (float) shape.nextDouble();
        double cx = 0.25 + 0.5 * shape.nextDouble(), cy = 0.25 + 0.5 * shape.nextDouble();
        double radius = 0.15 + 0.2 * shape.nextDouble();
        SplittableRandom jitter = new SplittableRandom(seed);
        float[] planes = new float[3 * side * side];
        for (int y = 0; y < side; y++) {
            for (int x = 0; x < side; x++) {
                double d = Math.hypot((x + 0.5) / side - cx, (y + 0.5) / side - cy);
                boolean ink = outlined ? Math.abs(d - radius) < 0.04 : d < radius;
                float[] c = ink ? new float[]{r, g, b} : new float[]{1, 1, 1};
                for (int k = 0; k < 3; k++) {
                    planes[(k * side + y) * side + x] = (float) (c[k] + noise * (jitter.nextDouble() - 0.5));
                }
            }
        }
        return RgbImage.ofPlanes(side, side, planes);
    }

    @Test
    void everyPictureFindsItselfAndItsEmojiUnderNoise() {
        List<ManifestEntry> entries = new ArrayList<>();
        Map<Path, RgbImage> files = new HashMap<>();
        for (int e = 0; e < 40; e++) {
            for (boolean outlined : new boolean[]{false, true}) {
                String id = "e" + e + (outlined ? "o" : "f");
                entries.add(new ManifestEntry(id, "E" + e, outlined ? "outlined" : "filled", "emoji " + e, "表情" + e,
                        List.of(), List.of(), "train", id + ".png", id + "-480.png"));
                files.put(Path.of("data", id + ".png"), picture(e, outlined, 160, 0, 0));
            }
        }
        RetrievalIndex index = RetrievalIndex.of(Path.of("data"), entries, files::get);
        assertEquals(80, index.size());
        for (ManifestEntry e : entries) {
            RgbImage same = files.get(Path.of("data", e.image160()));
            List<RetrievalIndex.Neighbour> near = index.nearest(same, 5);
            assertEquals(e.id(), near.get(0).entry().id(), "a data-set picture is its own nearest");
            assertEquals(0.0, near.get(0).distance(), 1e-9);
            int emoji = Integer.parseInt(e.emoji().substring(1));
            RgbImage large = picture(emoji, e.style().equals("outlined"), 480, 0, 0);
            assertEquals(e.id(), index.nearest(large, 1).get(0).entry().id(), "the 480 version finds the 160 one");
            RgbImage noisy = picture(emoji, e.style().equals("outlined"), 160, 0.3, 11);
            assertTrue(RetrievalIndex.rankOf(index.nearest(noisy, 5), e.emoji()) >= 0, "noise keeps the emoji in the top 5: " + e.id());
        }
    }

    @Test
    void descriptorRefusesPicturesItCannotPool() {
        RgbImage odd = RgbImage.ofPlanes(100, 100, new float[3 * 100 * 100]);
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> RetrievalDescriptor.of(odd));
        assertTrue(e.getMessage().contains("100x100"), e.getMessage());
    }
}
