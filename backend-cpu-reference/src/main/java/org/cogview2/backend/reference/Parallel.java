package org.cogview2.backend.reference;

import java.util.concurrent.ForkJoinPool;
import java.util.stream.IntStream;

/**
 * Splits the output rows of a kernel into blocks and computes the blocks on a fixed-size pool. Only output rows are
 * split: every output element is computed by one thread with one fixed sequential reduction, so the result does not
 * depend on the number of threads or on the block boundaries.
 */
final class Parallel {

    /** Below this many multiply-adds (or comparable steps) a kernel runs on the calling thread. */
    private static final long MIN_WORK_PER_BLOCK = 1L << 15;

    /** Work on a half-open range of output rows {@code [from, to)}. */
    @FunctionalInterface
    interface RowBlock {
        void compute(int from, int to);
    }

    private final int threads;
    private final ForkJoinPool pool;

    Parallel(int threads) {
        if (threads < 1) {
            throw new IllegalArgumentException("thread count must be positive, got " + threads);
        }
        this.threads = threads;
        this.pool = threads == 1 ? null : new ForkJoinPool(threads);
    }

    int threads() {
        return threads;
    }

    /**
     * Runs {@code block} over rows {@code [0, rows)}, split into blocks of roughly equal work when there is enough
     * of it. {@code workPerRow} is a rough cost estimate used only to choose the block size.
     */
    void forRows(int rows, long workPerRow, RowBlock block) {
        if (rows <= 0) {
            return;
        }
        long total = (long) rows * Math.max(1, workPerRow);
        int blocks = (int) Math.min(Math.min(rows, (long) threads * 4), Math.max(1, total / MIN_WORK_PER_BLOCK));
        if (pool == null || blocks <= 1) {
            block.compute(0, rows);
            return;
        }
        int perBlock = (rows + blocks - 1) / blocks;
        int blockCount = (rows + perBlock - 1) / perBlock;
        pool.submit(() -> IntStream.range(0, blockCount).parallel().forEach(b -> {
            int from = b * perBlock;
            block.compute(from, Math.min(rows, from + perBlock));
        })).join();
    }

    void shutdown() {
        if (pool != null) {
            pool.shutdownNow();
        }
    }
}
