package org.cogview2.backend.vector;

import java.util.ArrayDeque;
import java.util.Arrays;
import java.util.HashMap;
import java.util.Iterator;
import java.util.Map;

/**
 * Large fp32 arrays of released tensors, kept for the next tensor of the same size.
 *
 * <p>Why: a dense pass makes and drops activations of hundreds of megabytes (a 480x480 VQ-VAE activation at 128
 * channels is 118 MB). A fresh Java array of that size is a humongous allocation: the collector hands out new regions,
 * the kernel faults their pages in and zeroes them, and frees them again a few operations later. Measured on the
 * decode, that page traffic cost about as much as all its convolutions. Reusing the arrays of the previous block
 * costs one zero-fill, done by the worker threads.
 *
 * <p>Only arrays of at least {@value #MIN_POOLED} floats are kept, at most {@link #limitBytes()} bytes in all; the
 * oldest go first when a newer one needs the room. An array is zeroed when it is taken, so a reused array is
 * indistinguishable from a new one. The pooled bytes are not counted by {@link VectorBackend#memoryStats()} (no live
 * tensor holds them); {@link #clear()} drops them all.
 */
final class ArrayPool {

    /** Smaller arrays are cheap to allocate and are never pooled. */
    static final int MIN_POOLED = 1 << 18;
    /** Floats zeroed by one unit of the parallel fill. */
    private static final int FILL_UNIT = 1 << 20;

    private final Workers workers;
    private final long limitBytes;
    private final Map<Integer, ArrayDeque<float[]>> bySize = new HashMap<>();
    /** Every pooled array in the order it was given back (oldest first), for eviction. */
    private final ArrayDeque<float[]> order = new ArrayDeque<>();
    private long pooledBytes;

    ArrayPool(Workers workers, long limitBytes) {
        this.workers = workers;
        this.limitBytes = limitBytes;
    }

    /** A quarter of the heap the JVM may grow to, and at most 1 GiB. */
    static long defaultLimit() {
        return Math.min(1L << 30, Runtime.getRuntime().maxMemory() / 4);
    }

    long limitBytes() {
        return limitBytes;
    }

    /** A zero-filled array of exactly {@code n} floats: a pooled one if there is one, else a new one. */
    float[] take(int n) {
        if (n < MIN_POOLED) {
            return new float[n];
        }
        float[] a;
        synchronized (this) {
            ArrayDeque<float[]> free = bySize.get(n);
            a = free == null ? null : free.pollLast();
            if (a != null) {
                removeFromOrder(a);
                pooledBytes -= 4L * n;
            }
        }
        if (a == null) {
            return new float[n];
        }
        float[] cleared = a;
        int units = (n + FILL_UNIT - 1) / FILL_UNIT;
        workers.run(units, n, u -> Arrays.fill(cleared, u * FILL_UNIT, Math.min(n, (u + 1) * FILL_UNIT), 0f));
        return a;
    }

    /** Keeps {@code a} for a later {@link #take} (the caller no longer uses it), or drops it if it is small. */
    synchronized void give(float[] a) {
        long bytes = 4L * a.length;
        if (a.length < MIN_POOLED || bytes > limitBytes) {
            return;
        }
        while (pooledBytes + bytes > limitBytes && !order.isEmpty()) {
            float[] oldest = order.pollFirst();
            bySize.get(oldest.length).remove(oldest);
            pooledBytes -= 4L * oldest.length;
        }
        bySize.computeIfAbsent(a.length, k -> new ArrayDeque<>()).addLast(a);
        order.addLast(a);
        pooledBytes += bytes;
    }

    synchronized long pooledBytes() {
        return pooledBytes;
    }

    synchronized void clear() {
        bySize.clear();
        order.clear();
        pooledBytes = 0;
    }

    /** Removes {@code a} (by identity) from the eviction order. */
    private void removeFromOrder(float[] a) {
        for (Iterator<float[]> it = order.descendingIterator(); it.hasNext(); ) {
            if (it.next() == a) {
                it.remove();
                return;
            }
        }
    }
}
