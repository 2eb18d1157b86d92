package org.cogview2.training.core;

import org.junit.jupiter.api.Test;

import java.time.Duration;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class DurationParserTest {

    @Test
    void readsUnitsAndCombinations() {
        assertEquals(Duration.ofHours(2), DurationParser.parse("2h"));
        assertEquals(Duration.ofMinutes(90), DurationParser.parse("90m"));
        assertEquals(Duration.ofSeconds(45), DurationParser.parse("45s"));
        assertEquals(Duration.ofMinutes(90), DurationParser.parse("1h30m"));
        assertEquals(Duration.ofSeconds(5415), DurationParser.parse(" 1h 30m 15s "));
        assertEquals(Duration.ofMinutes(90), DurationParser.parse("1.5h"));
        assertEquals(Duration.ofDays(2), DurationParser.parse("2d"));
        assertEquals(Duration.ofMillis(500), DurationParser.parse("500ms"));
        assertEquals(Duration.ofMillis(1500), DurationParser.parse("1s500ms"));
        assertEquals(Duration.ofMinutes(90), DurationParser.parse("PT1H30M"));
        assertEquals(Duration.ofMinutes(3), DurationParser.parse("3M"), "case does not matter");
    }

    @Test
    void explainsWhatIsWrong() {
        assertMessage("90", "no unit");
        assertMessage("", "empty");
        assertMessage("2 hours", "not a number followed by a unit");
        assertMessage("10x", "not a number followed by a unit");
        assertMessage("30m1h", "largest to the smallest");
        assertMessage("1h1h", "largest to the smallest");
        assertMessage("-5m", "not a number followed by a unit");
        assertMessage("PT", "ISO-8601");
    }

    private static void assertMessage(String text, String expected) {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> DurationParser.parse(text));
        assertTrue(e.getMessage().contains(expected) && e.getMessage().contains("'" + text + "'"), e.getMessage());
    }
}
