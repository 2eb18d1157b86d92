package org.cogview2.training.core;

import java.math.BigDecimal;
import java.time.Duration;
import java.time.format.DateTimeParseException;
import java.util.Locale;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Parses human durations such as time budgets: {@code 2h}, {@code 90m}, {@code 45s}, {@code 1h30m},
 * {@code 1h 30m 15s}, {@code 1.5h}, {@code 2d}, {@code 500ms}; also ISO-8601 ({@code PT1H30M}). Units go from
 * the largest to the smallest, each at most once; a number without a unit is refused rather than guessed.
 */
public final class DurationParser {

    private static final Pattern PART = Pattern.compile("(\\d+(?:\\.\\d+)?)\\s*(ms|d|h|m|s)");
    private static final String[] ORDER = {"d", "h", "m", "s", "ms"};

    private DurationParser() {
    }

    /**
     * The duration {@code text} denotes.
     *
     * @throws IllegalArgumentException saying what is wrong with the text, with an example of what works
     */
    public static Duration parse(String text) {
        if (text == null || text.isBlank()) {
            throw error(text, "it is empty");
        }
        String s = text.strip().toLowerCase(Locale.ROOT);
        if (s.startsWith("p")) {
            try {
                return nonNegative(text, Duration.parse(s.toUpperCase(Locale.ROOT)));
            } catch (DateTimeParseException e) {
                throw error(text, "it is not a valid ISO-8601 duration");
            }
        }
        if (s.matches("\\d+(\\.\\d+)?")) {
            throw error(text, "the number has no unit (write " + s + "m, " + s + "s or " + s + "h)");
        }
        Matcher m = PART.matcher(s);
        int pos = 0;
        int lastUnit = -1;
        Duration total = Duration.ZERO;
        while (pos < s.length()) {
            if (Character.isWhitespace(s.charAt(pos))) {
                pos++;
                continue;
            }
            if (!m.find(pos) || m.start() != pos) {
                throw error(text, "'" + s.substring(pos) + "' is not a number followed by a unit");
            }
            int unit = indexOf(m.group(2));
            if (unit <= lastUnit) {
                throw error(text, "units must go from the largest to the smallest, each once");
            }
            lastUnit = unit;
            total = total.plus(amount(new BigDecimal(m.group(1)), m.group(2)));
            pos = m.end();
        }
        return total;
    }

    private static Duration amount(BigDecimal value, String unit) {
        BigDecimal nanosPerUnit = BigDecimal.valueOf(switch (unit) {
            case "d" -> 86_400_000_000_000L;
            case "h" -> 3_600_000_000_000L;
            case "m" -> 60_000_000_000L;
            case "s" -> 1_000_000_000L;
            default -> 1_000_000L;
        });
        return Duration.ofNanos(value.multiply(nanosPerUnit).longValueExact());
    }

    private static int indexOf(String unit) {
        for (int i = 0; i < ORDER.length; i++) {
            if (ORDER[i].equals(unit)) {
                return i;
            }
        }
        throw new AssertionError(unit);
    }

    private static Duration nonNegative(String text, Duration d) {
        if (d.isNegative()) {
            throw error(text, "it is negative");
        }
        return d;
    }

    private static IllegalArgumentException error(String text, String why) {
        return new IllegalArgumentException("cannot read the duration '" + text + "': " + why
                + "; examples: 2h, 90m, 45s, 1h30m, 1.5h, 500ms");
    }
}
