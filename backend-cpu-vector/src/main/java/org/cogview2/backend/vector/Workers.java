package org.cogview2.backend.vector;

import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A fixed pool of worker threads that runs the units of a kernel. A kernel cuts its output into units at positions
 * that depend only on the shapes (never on the thread count); the calling thread and the workers take units from a
 * shared counter until none is left. Each unit computes its output elements with a fixed sequence of operations, so
 * which thread runs a unit, and how many threads there are, never changes a result bit.
 *
 * <p>The calling thread always works too and can finish every unit on its own, so concurrent kernels of several
 * callers never wait for each other's helpers.
 */
final class Workers {

    /** Below roughly this many multiply-adds a kernel runs on the calling thread alone. */
    static final long MIN_PARALLEL_WORK = 1L << 16;

    @FunctionalInterface
    interface Unit {
        void run(int unit);
    }

    private final int threads;
    private final ThreadPoolExecutor pool;
    private volatile Thread helper;

    Workers(int threads) {
        if (threads < 1) {
            throw new IllegalArgumentException("thread count must be positive, got " + threads);
        }
        this.threads = threads;
        if (threads == 1) {
            pool = null;
        } else {
            AtomicInteger number = new AtomicInteger();
            pool = new ThreadPoolExecutor(threads - 1, threads - 1, 0, TimeUnit.SECONDS, new LinkedBlockingQueue<>(),
                    r -> {
                        Thread t = new Thread(r, "cogview2-cpu-vector-" + number.incrementAndGet());
                        t.setDaemon(true);
                        helper = t;
                        return t;
                    });
            pool.prestartAllCoreThreads();
        }
    }

    int threads() {
        return threads;
    }

    /** One of the helper threads (null without helpers): to ask whether a memory segment is readable by them. */
    Thread helper() {
        return helper;
    }

    /** A pool of one: everything on the calling thread (for work already running inside a parallel unit). */
    static final Workers SERIAL = new Workers(1);

    /** Runs units {@code [0, units)}; {@code totalWork} (multiply-adds or similar) decides whether to use helpers. */
    void run(int units, long totalWork, Unit body) {
        run(units, totalWork, true, body);
    }

    /**
     * As {@link #run(int, long, Unit)}; with {@code mayShare} false everything runs on the calling thread (inputs
     * confined to it, e.g. weights mapped in a confined arena).
     */
    void run(int units, long totalWork, boolean mayShare, Unit body) {
        if (units <= 0) {
            return;
        }
        if (pool == null || units == 1 || !mayShare || totalWork < MIN_PARALLEL_WORK) {
            for (int u = 0; u < units; u++) {
                body.run(u);
            }
            return;
        }
        Job job = new Job(units, body);
        int helpers = Math.min(threads - 1, units - 1);
        for (int i = 0; i < helpers; i++) {
            pool.execute(job::work);
        }
        job.work();
        job.awaitDone();
    }

    void shutdown() {
        if (pool != null) {
            pool.shutdownNow();
        }
    }

    private static final class Job {
        private final int units;
        private final Unit body;
        private final AtomicInteger next = new AtomicInteger();
        private final AtomicInteger done = new AtomicInteger();
        private volatile Throwable error;

        Job(int units, Unit body) {
            this.units = units;
            this.body = body;
        }

        void work() {
            int u;
            while ((u = next.getAndIncrement()) < units) {
                try {
                    if (error == null) {
                        body.run(u);
                    }
                } catch (Throwable t) {
                    synchronized (this) {
                        if (error == null) {
                            error = t;
                        }
                    }
                } finally {
                    if (done.incrementAndGet() == units) {
                        synchronized (this) {
                            notifyAll();
                        }
                    }
                }
            }
        }

        void awaitDone() {
            // Helpers usually finish within microseconds of the caller: spin briefly before blocking.
            for (int spin = 0; spin < 2000 && done.get() < units; spin++) {
                Thread.onSpinWait();
            }
            boolean interrupted = false;
            synchronized (this) {
                while (done.get() < units) {
                    try {
                        wait();
                    } catch (InterruptedException e) {
                        interrupted = true;
                    }
                }
            }
            if (interrupted) {
                Thread.currentThread().interrupt();
            }
            Throwable t = error;
            if (t instanceof RuntimeException re) {
                throw re;
            }
            if (t instanceof Error e) {
                throw e;
            }
            if (t != null) {
                throw new IllegalStateException(t);
            }
        }
    }
}
