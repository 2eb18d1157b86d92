package org.cogview2.benchmarks;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.OptionalLong;

/**
 * The process's resident set from Linux's {@code /proc/self/status}: the current size and the peak ({@code VmHWM})
 * since the last {@link #resetPeak()}. Resetting between stages gives each stage its own peak (it starts from what is
 * resident when it begins: the JVM, the heap it already holds). Empty on systems without {@code /proc}.
 */
public final class ResidentMemory {

    private static final Path STATUS = Path.of("/proc/self/status");
    private static final Path CLEAR_REFS = Path.of("/proc/self/clear_refs");

    private ResidentMemory() {
    }

    /** Makes the peak start again from the current resident set ("5" to clear_refs, Linux 4.0+); false if it cannot. */
    public static boolean resetPeak() {
        try {
            Files.writeString(CLEAR_REFS, "5");
            return true;
        } catch (IOException | UnsupportedOperationException | SecurityException e) {
            return false;
        }
    }

    /** Peak resident bytes since the start or the last reset. */
    public static OptionalLong peakBytes() {
        return field("VmHWM:");
    }

    /** Resident bytes now. */
    public static OptionalLong currentBytes() {
        return field("VmRSS:");
    }

    private static OptionalLong field(String name) {
        try {
            for (String line : Files.readAllLines(STATUS)) {
                if (line.startsWith(name)) {
                    String[] parts = line.trim().split("\\s+");
                    return OptionalLong.of(Long.parseLong(parts[1]) * 1024);
                }
            }
        } catch (IOException | NumberFormatException | ArrayIndexOutOfBoundsException e) {
            // Not Linux, or a format we do not know: no figure rather than a wrong one.
        }
        return OptionalLong.empty();
    }
}
