package org.cogview2.models.postselect;

import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

class InversePromptLayoutTest {

    @Test
    void positions_are_513_for_image_then_zero_from_start_of_chinese() {
        InversePromptLayout layout = new InversePromptLayout(3);
        assertEquals(404, layout.length());
        assertEquals(513, layout.position(0));
        assertEquals(912, layout.position(399));
        assertEquals(0, layout.position(400));
        assertEquals(3, layout.position(403));
    }

    @Test
    void image_rows_see_only_the_image_and_text_rows_are_causal() {
        InversePromptLayout layout = new InversePromptLayout(3);
        assertTrue(layout.visible(0, 399));
        assertFalse(layout.visible(0, 400));
        assertTrue(layout.visible(401, 0));
        assertTrue(layout.visible(401, 401));
        assertFalse(layout.visible(401, 402));
    }
}
