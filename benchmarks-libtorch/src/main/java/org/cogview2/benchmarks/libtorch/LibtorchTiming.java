package org.cogview2.benchmarks.libtorch;

import java.util.function.Supplier;

/** The repetition rule of {@code StageBenchmarks.linear}, for the libtorch side of a kernel measurement. */
final class LibtorchTiming {

    private LibtorchTiming() {
    }

    /** Best wall time of one warm-up then repetitions until about half a second (at least three) have run. */
    static double best(Supplier<?> work) {
        work.get();
        double best = Double.MAX_VALUE;
        long spent = 0;
        for (int rep = 0; rep < 3 || spent < 500_000_000L; rep++) {
            long start = System.nanoTime();
            work.get();
            long t = System.nanoTime() - start;
            spent += t;
            best = Math.min(best, t / 1e9);
        }
        return best;
    }
}
