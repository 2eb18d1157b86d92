package org.cogview2.models.coglm;

import org.cogview2.api.InvalidInputException;
import org.cogview2.api.PromptTooLongException;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class Stage1LayoutTest {

    private static final int SOI = 23000;

    @Test
    void worked_example_of_spec_with_five_text_ids() {
        Stage1Layout layout = Stage1Layout.of(new int[]{20001, 20002, 20003, 20004, 20005, SOI}, SOI, 1.4f);
        assertEquals(5, layout.textLength());
        assertEquals(406, layout.length());
        assertArrayEquals(new int[]{0, 1, 2, 3, 4, 512, 513, 514}, layout.positions(0, 8));
        assertEquals(912, layout.position(405));
        // Row 2 (text) sees the text only; the SOI row sees text and itself; image rows are causal.
        assertTrue(layout.visible(2, 4));
        assertFalse(layout.visible(2, 5));
        assertTrue(layout.visible(5, 5));
        assertFalse(layout.visible(5, 6));
        assertTrue(layout.visible(405, 405));
    }

    @Test
    void mask_and_bias_rows_follow_the_layout() {
        Stage1Layout layout = Stage1Layout.of(new int[]{20001, 20002, SOI}, SOI, 1.4f);
        float[] mask = layout.maskRows(0, 3);
        assertArrayEquals(new float[]{1, 1, 0, 1, 1, 0, 1, 1, 1}, mask);
        float[] bias = layout.biasRows(3, 1);
        assertArrayEquals(new float[]{1.4f, 1.4f, 0f, 0f}, bias);
    }

    @Test
    void prompt_of_111_ids_is_rejected_with_its_length() {
        int[] ids = new int[111];
        ids[110] = SOI;
        PromptTooLongException e = assertThrows(PromptTooLongException.class, () -> Stage1Layout.of(ids, SOI, 1.4f));
        assertEquals(111, e.idCount());
        assertTrue(e.getMessage().contains("111"));
    }

    @Test
    void prompt_not_ending_with_start_of_image_is_rejected() {
        assertThrows(InvalidInputException.class, () -> Stage1Layout.of(new int[]{20001, 20002}, SOI, 1.4f));
    }
}
