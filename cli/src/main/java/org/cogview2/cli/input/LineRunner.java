package org.cogview2.cli.input;

import org.cogview2.api.InvalidInputException;

import java.io.PrintWriter;

/**
 * Runs one piece of work per input line on models loaded once. A line that fails on its own input (malformed,
 * prompt too long, picture missing: an {@link InvalidInputException}) is reported with its line number and the
 * rest go on; any other error (the models, the backend, the disk) ends the run.
 */
public final class LineRunner {

    /** The work for one line. */
    @FunctionalInterface
    public interface Work {
        void run(InputLine line);
    }

    private LineRunner() {
    }

    /** Runs {@code work} on every line; returns how many lines failed. */
    public static int runAll(InputSource source, PrintWriter err, Work work) {
        int done = 0;
        int failed = 0;
        for (InputLine line : source) {
            try {
                work.run(line);
                done++;
            } catch (InvalidInputException e) {
                failed++;
                err.println("error: " + source + " line " + line.number() + ": " + e.getMessage());
            }
        }
        err.println(source + ": " + done + " line(s) done, " + failed + " failed");
        return failed;
    }
}
