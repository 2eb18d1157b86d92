package org.cogview2.training.core;

import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.TimeUnit;

/**
 * Makes batches ahead of the training thread: one daemon thread calls {@code source.batch(seed, i)} for
 * {@code i = first, first + 1, ...} in order into a bounded queue, so that decoding pictures overlaps with the
 * forward and backward passes while memory stays bounded.
 *
 * <p>An exception of the source is handed over in order: {@link #next()} returns every batch made before it,
 * then throws a {@link BatchLoadingException} with the source's exception as cause. {@link #close()} interrupts
 * and joins the thread, whether it is making a batch or waiting for room.
 *
 * @param <B> the batch type
 */
public final class BatchLoader<B> implements AutoCloseable {

    /** Makes batch {@code index} of the run seeded with {@code seed}. */
    @FunctionalInterface
    public interface Source<B> {
        B batch(long seed, long index) throws Exception;
    }

    /** A slot of the queue: a batch, or the failure that ended the thread. */
    private sealed interface Slot<B> {
    }

    private record Loaded<B>(long index, B batch) implements Slot<B> {
    }

    private record Failed<B>(long index, Throwable error) implements Slot<B> {
    }

    private final BlockingQueue<Slot<B>> queue;
    private final Thread thread;
    private volatile boolean closed;
    private long nextIndex;
    private BatchLoadingException failure;

    /**
     * Starts loading.
     *
     * @param first    index of the first batch ({@code next()} returns it first)
     * @param capacity batches made ahead at most
     * @param name     used in the thread's name
     */
    public BatchLoader(Source<B> source, long seed, long first, int capacity, String name) {
        if (capacity < 1) {
            throw new IllegalArgumentException("capacity must be >= 1, got " + capacity);
        }
        this.queue = new ArrayBlockingQueue<>(capacity);
        this.nextIndex = first;
        this.thread = new Thread(() -> load(source, seed, first), "cogview2-batches-" + name);
        thread.setDaemon(true); // never keeps the JVM alive, even if a source ignores interrupts
        thread.start();
    }

    private void load(Source<B> source, long seed, long first) {
        try {
            for (long i = first; !closed; i++) {
                Slot<B> slot;
                try {
                    slot = new Loaded<>(i, source.batch(seed, i));
                } catch (Throwable t) { // Errors too: the trainer must hear of them, not wait forever
                    if (closed) {
                        return;
                    }
                    slot = new Failed<>(i, t);
                }
                queue.put(slot);
                if (slot instanceof Failed) {
                    return;
                }
            }
        } catch (InterruptedException e) {
            // close(): stop quietly
        }
    }

    /**
     * The next batch, in index order, waiting for it if need be.
     *
     * @throws BatchLoadingException if the source threw for this index (the cause is its exception)
     * @throws TrainingException     if the calling thread is interrupted while waiting
     */
    public B next() {
        if (failure != null) {
            throw failure;
        }
        if (closed) {
            throw new IllegalStateException("the batch loader is closed");
        }
        try {
            Slot<B> slot;
            while ((slot = queue.poll(1, TimeUnit.SECONDS)) == null) {
                if (!thread.isAlive() && queue.isEmpty()) {
                    throw new TrainingException("the batch loader thread stopped before batch " + nextIndex);
                }
            }
            switch (slot) {
                case Loaded<B> l -> {
                    checkOrder(l.index());
                    nextIndex++;
                    return l.batch();
                }
                case Failed<B> f -> {
                    checkOrder(f.index());
                    failure = new BatchLoadingException(f.index(), f.error());
                    throw failure;
                }
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new TrainingException("interrupted while waiting for batch " + nextIndex, e);
        }
    }

    private void checkOrder(long index) {
        if (index != nextIndex) {
            throw new IllegalStateException("batch " + index + " arrived, " + nextIndex + " was expected");
        }
    }

    /** Index of the batch {@link #next()} returns next. */
    public long nextIndex() {
        return nextIndex;
    }

    /** Whether the loading thread is still running (for tests and diagnostics). */
    public boolean isAlive() {
        return thread.isAlive();
    }

    /** Stops the loading thread and waits for it (a few seconds at most). Idempotent. */
    @Override
    public void close() {
        closed = true;
        thread.interrupt();
        try {
            thread.join(5_000);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        queue.clear();
    }
}
