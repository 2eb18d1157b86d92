package org.cogview2.models.completion;

import org.cogview2.api.CompletionBox;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

class CompletionGeometryTest {

    @Test
    void box_of_input_comp_example_uses_the_whole_picture() {
        CompletionRegion r = CompletionRegion.of(new CompletionBox(0.4, 0.2, 1, 0.9));
        assertEquals(0, r.cropTop());
        assertEquals(0, r.cropLeft());
        assertEquals(480, r.cropSize());
        assertTrue(r.mask()[192 * 480 + 96]);
        assertFalse(r.mask()[191 * 480 + 96]);
        assertFalse(r.mask()[192 * 480 + 432]);
    }

    @Test
    void centred_box_gives_the_spec_crop_113_113_318_318() {
        CompletionRegion r = CompletionRegion.of(new CompletionBox(0.3, 0.3, 0.6, 0.6));
        assertEquals(113, r.cropTop());
        assertEquals(113, r.cropLeft());
        assertEquals(205, r.cropSize());
    }

    @Test
    void worked_example_reorders_masked_runs_with_their_left_neighbour() {
        boolean[] masked = new boolean[400];
        for (int r = 2; r <= 3; r++) {
            for (int c = 5; c <= 7; c++) {
                masked[r * 20 + c] = true;
            }
        }
        int[] image = new int[400];
        for (int i = 0; i < 400; i++) {
            image[i] = i;
        }
        int[] text = {20001, 20002, 23000};
        CompletionLayout layout = CompletionLayout.of(text, 23000, image, masked, 1.4f);
        int nc = text.length;
        assertEquals(nc + 1 + 392, layout.contextEnd());
        int[] seq = layout.sequence();
        int g = layout.contextEnd();
        assertEquals(557, layout.position(g));
        assertEquals(44, seq[g]);         // (2,4) known
        assertEquals(-1, seq[g + 1]);     // (2,5)
        assertEquals(560, layout.position(g + 3));
        assertEquals(577, layout.position(g + 4));
        assertEquals(64, seq[g + 4]);     // (3,4) known
        assertEquals(580, layout.position(g + 7));
        // Text rows do not see the context; generation rows see all of it; context is bidirectional.
        assertFalse(layout.visible(0, nc + 2));
        assertTrue(layout.visible(nc + 1, nc + 300));
        assertTrue(layout.visible(g + 5, nc + 300));
        assertFalse(layout.visible(g, g + 1));
        assertEquals(1.4f, layout.bias(g, nc - 1));
        assertEquals(0f, layout.bias(g, nc));
        int[] back = layout.grid(seq);
        assertEquals(-1, back[2 * 20 + 5]);
        assertEquals(44, back[2 * 20 + 4]);
        assertEquals(399, back[399]);
    }
}
