package org.cogview2.models.sr;

import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

class LoparScheduleTest {

    @Test
    void passes_remask_2300_1900_1500_1000_600_200_cells_of_the_60x60_grid() {
        int[] counts = new int[LoparSchedule.PASSES];
        for (int pass = 1; pass <= LoparSchedule.PASSES; pass++) {
            for (int cell = 0; cell < 3600; cell++) {
                if (LoparSchedule.remasked(pass, cell, 60)) {
                    counts[pass - 1]++;
                }
            }
        }
        assertArrayEquals(new int[]{2300, 1900, 1500, 1000, 600, 200}, counts);
    }

    @Test
    void never_remasked_cells_are_1300() {
        int kept = 0;
        for (int cell = 0; cell < 3600; cell++) {
            if (!LoparSchedule.remasked(1, cell, 60)) {
                kept++;
            }
        }
        assertEquals(1300, kept);
    }

    @Test
    void top_k_schedule_is_40_40_40_20_20_10() {
        int[] k = new int[6];
        for (int pass = 1; pass <= 6; pass++) {
            k[pass - 1] = LoparSchedule.topK(pass);
        }
        assertArrayEquals(new int[]{40, 40, 40, 20, 20, 10}, k);
    }

    @Test
    void pattern_tiles_every_six_cells() {
        assertEquals(LoparSchedule.value(2, 3), LoparSchedule.value(8, 9));
        assertEquals(6, LoparSchedule.value(5, 2));
        assertEquals(-1, LoparSchedule.value(0, 0));
    }
}
