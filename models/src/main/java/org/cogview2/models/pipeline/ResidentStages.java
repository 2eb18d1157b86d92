package org.cogview2.models.pipeline;

import org.cogview2.api.CancellationToken;
import org.cogview2.api.GenerationCancelledException;
import org.cogview2.api.StageResidency;

import java.util.ArrayList;
import java.util.List;
import java.util.function.Function;
import java.util.function.Supplier;

/**
 * The stage models of a pipeline and when their weights are loaded, under a {@link StageResidency} policy.
 *
 * <p>{@link StageResidency#ALL_STAGES}: every stage is loaded by {@link #loadAll()} and stays until {@link #close()};
 * {@link #acquire} only counts users. {@link StageResidency#ONE_STAGE}: at most one stage is loaded; acquiring another
 * stage waits until the loaded one has no users, then releases it and loads the requested one. While a generation
 * waits for a stage, new users of the loaded stage wait too, so stages take turns and none starves.
 *
 * <p>Why this cannot deadlock: a generation holds at most one lease at a time and never waits while holding one (the
 * pipeline releases a stage before it acquires the next), so every wait ends when the current users finish.
 */
final class ResidentStages implements AutoCloseable {

    /** How often a waiting generation checks its cancellation token. */
    private static final long WAIT_MILLIS = 50;

    private final StageResidency policy;
    private final List<Slot<?>> slots = new ArrayList<>();
    private boolean closed;

    ResidentStages(StageResidency policy) {
        this.policy = policy;
    }

    /**
     * A stage: {@code open} loads its model (weights on the backend), {@code build} makes the component that uses
     * them. Nothing is loaded here.
     */
    <M extends AutoCloseable, T> Slot<T> add(String name, Supplier<M> open, Function<M, T> build) {
        Slot<T> slot = new Slot<>(name, () -> {
            M model = open.get();
            try {
                return new Loaded<>(model, build.apply(model));
            } catch (RuntimeException | Error e) {
                closeQuietly(model, e);
                throw e;
            }
        });
        slots.add(slot);
        return slot;
    }

    StageResidency policy() {
        return policy;
    }

    /** Under {@link StageResidency#ALL_STAGES}, loads every stage now (on failure the caller closes this). */
    synchronized void loadAll() {
        if (policy == StageResidency.ALL_STAGES) {
            for (Slot<?> s : slots) {
                s.ensureLoaded();
            }
        }
    }

    /**
     * The stage's component, loaded if needed, until the lease is closed.
     *
     * @throws GenerationCancelledException if {@code cancellation} fires while waiting for another stage's users
     */
    <T> Lease<T> acquire(Slot<T> slot, CancellationToken cancellation) {
        synchronized (this) {
            slot.waiting++;
            try {
                while (mustWait(slot)) {
                    cancellation.throwIfCancelled();
                    try {
                        wait(WAIT_MILLIS);
                    } catch (InterruptedException e) {
                        Thread.currentThread().interrupt();
                        throw new GenerationCancelledException("interrupted while waiting for the " + slot.name + " weights");
                    }
                }
            } finally {
                slot.waiting--;
            }
            if (policy == StageResidency.ONE_STAGE) {
                for (Slot<?> other : slots) {
                    if (other != slot) {
                        other.unload();
                    }
                }
            }
            slot.ensureLoaded();
            slot.users++;
        }
        return new Lease<>(this, slot);
    }

    private boolean mustWait(Slot<?> slot) {
        if (closed) {
            throw new IllegalStateException("the pipeline is closed");
        }
        if (policy == StageResidency.ALL_STAGES) {
            return false;
        }
        for (Slot<?> other : slots) {
            if (other == slot) {
                continue;
            }
            if (other.users > 0) {
                return true;            // another stage is in use: wait for its users to finish
            }
            if (slot.loaded != null && other.waiting > 0) {
                return true;            // our stage is loaded but another is wanted: let it have its turn first
            }
        }
        return false;
    }

    private synchronized void release(Slot<?> slot) {
        slot.users--;
        notifyAll();
    }

    /** Whether the stage's weights are loaded now (tests, memory reports). */
    synchronized boolean isLoaded(Slot<?> slot) {
        return slot.loaded != null;
    }

    /** Whether a generation is waiting for the stage (tests). */
    synchronized boolean hasWaiters(Slot<?> slot) {
        return slot.waiting > 0;
    }

    /** Releases every stage. Leases still open become unusable. */
    @Override
    public synchronized void close() {
        closed = true;
        RuntimeException failure = null;
        for (int i = slots.size() - 1; i >= 0; i--) {
            try {
                slots.get(i).unload();
            } catch (RuntimeException e) {
                if (failure == null) {
                    failure = e;
                }
            }
        }
        notifyAll();
        if (failure != null) {
            throw failure;
        }
    }

    private static void closeQuietly(AutoCloseable resource, Throwable primary) {
        try {
            resource.close();
        } catch (Exception e) {
            primary.addSuppressed(e);
        }
    }

    private record Loaded<T>(AutoCloseable model, T component) {
    }

    /** One stage. Its fields are guarded by the owning {@link ResidentStages}. */
    static final class Slot<T> {
        private final String name;
        private final Supplier<Loaded<T>> loader;
        private Loaded<T> loaded;
        private int users;
        private int waiting;

        private Slot(String name, Supplier<Loaded<T>> loader) {
            this.name = name;
            this.loader = loader;
        }

        private void ensureLoaded() {
            if (loaded == null) {
                loaded = loader.get();
            }
        }

        private void unload() {
            if (loaded != null) {
                AutoCloseable model = loaded.model();
                loaded = null;
                try {
                    model.close();
                } catch (Exception e) {
                    throw new IllegalStateException("could not release the " + name + " weights", e);
                }
            }
        }

        @Override
        public String toString() {
            return name;
        }
    }

    /** A stage in use; closing it lets other stages load. */
    static final class Lease<T> implements AutoCloseable {
        private final ResidentStages owner;
        private final Slot<T> slot;
        private final T component;
        private boolean released;

        private Lease(ResidentStages owner, Slot<T> slot) {
            this.owner = owner;
            this.slot = slot;
            this.component = slot.loaded.component();
        }

        T get() {
            return component;
        }

        @Override
        public void close() {
            if (!released) {
                released = true;
                owner.release(slot);
            }
        }
    }
}
