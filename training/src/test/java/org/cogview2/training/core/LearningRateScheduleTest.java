package org.cogview2.training.core;

import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class LearningRateScheduleTest {

    private static final double TOL = 1e-12;

    @Test
    void warmsUpLinearlyThenFollowsHalfACosineToTheFloor() {
        LearningRateSchedule s = new LearningRateSchedule(1e-3, 10, 110, 0.1);
        assertEquals(1e-4, s.at(0), TOL, "first update: peak / warmup, not zero");
        assertEquals(5e-4, s.at(4), TOL);
        assertEquals(1e-3, s.at(9), TOL, "end of warm-up reaches the peak");
        assertEquals(1e-3, s.at(10), TOL, "cosine starts at the peak");
        // Half-way through the decay, the cosine is at the mean of peak and floor.
        assertEquals((1e-3 + 1e-4) / 2, s.at(60), TOL);
        assertEquals(1e-4, s.at(110), TOL, "floor = peak * minFraction at totalSteps");
        assertEquals(1e-4, s.at(500), TOL, "kept beyond");
        assertTrue(s.at(109) > s.at(110) && s.at(109) - 1e-4 < 1e-6, "the last update is just above the floor");
    }

    @Test
    void decreasesMonotonicallyAfterWarmup() {
        LearningRateSchedule s = new LearningRateSchedule(2.0, 3, 50, 0.0);
        for (long t = 3; t < 50; t++) {
            assertTrue(s.at(t + 1) <= s.at(t), "at " + t);
        }
        assertEquals(0.0, s.at(50), TOL);
    }

    @Test
    void withoutWarmupStartsAtThePeakAndAllWarmupEndsAtTheFloor() {
        assertEquals(0.5, new LearningRateSchedule(0.5, 0, 10, 0.2).at(0), TOL);
        LearningRateSchedule allWarmup = new LearningRateSchedule(1, 4, 4, 0.5);
        assertEquals(1.0, allWarmup.at(3), TOL);
        assertEquals(0.5, allWarmup.at(4), TOL);
    }

    @Test
    void refusesNonsense() {
        assertThrows(IllegalArgumentException.class, () -> new LearningRateSchedule(1, 11, 10, 0.1));
        assertThrows(IllegalArgumentException.class, () -> new LearningRateSchedule(1, 0, 10, 1.5));
        assertThrows(IllegalArgumentException.class, () -> new LearningRateSchedule(-1, 0, 10, 0.1));
        assertThrows(IllegalArgumentException.class, () -> new LearningRateSchedule(1, 0, 10, 0.1).at(-1));
    }
}
