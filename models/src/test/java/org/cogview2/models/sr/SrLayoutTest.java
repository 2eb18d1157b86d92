package org.cogview2.models.sr;

import org.cogview2.api.PromptTooLongException;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

class SrLayoutTest {

    @Test
    void dsr_positions_for_ten_text_ids_match_the_worked_example() {
        DsrLayout layout = DsrLayout.of(new int[10]);
        int[] p = layout.positions();
        assertEquals(86, layout.pads());
        for (int i = 0; i < 86; i++) {
            assertEquals(0, p[i]);
        }
        assertEquals(9, p[95]);
        assertEquals(513, p[96]);
        assertEquals(912, p[495]);
        assertEquals(1024, p[496]);
        assertEquals(4623, p[4095]);
    }

    @Test
    void dsr_level_zero_mask_hides_image_from_text_and_pads_from_everyone_else() {
        DsrLayout layout = DsrLayout.of(new int[10]);
        float[] m = layout.levelZeroMask();
        assertEquals(0f, m[90 * 496 + 100]);   // text row, image column
        assertEquals(1f, m[90 * 496 + 95]);    // text sees text
        assertEquals(0f, m[90 * 496 + 3]);     // text does not see pads
        assertEquals(1f, m[3 * 496 + 90]);     // pads see text
        assertEquals(1f, m[200 * 496 + 90]);   // image sees text
        assertEquals(1f, m[200 * 496 + 495]);  // image sees image, bidirectionally
    }

    @Test
    void dsr_rejects_96_text_ids_before_any_work() {
        PromptTooLongException e = assertThrows(PromptTooLongException.class, () -> DsrLayout.of(new int[96]));
        assertEquals(95, e.limit());
    }

    @Test
    void itersr_keeps_the_first_16_text_ids_and_masks_pads() {
        int[] text = new int[20];
        for (int i = 0; i < text.length; i++) {
            text[i] = 20000 + i;
        }
        IterSrLayout layout = IterSrLayout.of(text);
        assertEquals(0, layout.pads());
        assertEquals(20015, layout.ids(new int[3600])[15]);

        IterSrLayout shortText = IterSrLayout.of(new int[]{20001, 20002, 20003});
        assertEquals(13, shortText.pads());
        float[] keyMask = shortText.textKeyMask();
        assertEquals(0f, keyMask[12]);
        assertEquals(1f, keyMask[13]);
        int[] p = shortText.positions();
        assertArrayEquals(new int[]{0, 1, 2, 1024}, new int[]{p[13], p[14], p[15], p[16]});
    }
}
