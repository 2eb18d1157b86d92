package org.cogview2.spi.support;

import org.cogview2.spi.Backend;
import org.cogview2.spi.MemoryStats;
import org.cogview2.spi.Tensor;
import org.cogview2.spi.TensorScope;

import java.util.ArrayList;
import java.util.Collections;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Set;

/**
 * A {@link Backend} with its lifetime and ownership rules written once, like DJL's {@code BaseNDManager}: it keeps its
 * open scopes and closes them (releasing their tensors) when it closes, counts tensor memory, and turns any
 * {@link Tensor} or {@link TensorScope} handed to a kernel into one of its own, or fails with a message naming the
 * kernel and the argument (another backend's tensor, a released tensor, a closed scope, a closed backend).
 *
 * @param <T> the backend's tensor class
 * @param <S> the backend's scope class
 */
public abstract class AbstractBackend<T extends AbstractTensor, S extends AbstractScope<T>> implements Backend {

    private final MemoryAccounting accounting = new MemoryAccounting();
    private final Set<AbstractScope<?>> openScopes = Collections.newSetFromMap(new IdentityHashMap<>());
    private final Class<S> scopeType;
    private volatile boolean closed;

    protected AbstractBackend(Class<S> scopeType) {
        this.scopeType = scopeType;
    }

    /** A new, empty scope of this backend. */
    protected abstract S createScope();

    /** Releases what the backend holds besides tensors (threads, a device context). Called once, after every scope closed. */
    protected void shutdown() {
    }

    /** A new scope; callers see the SPI type, so a backend's scope class may stay package-private. */
    @Override
    public final TensorScope newScope() {
        checkOpen();
        S scope = createScope();
        synchronized (openScopes) {
            checkOpen();
            openScopes.add(scope);
        }
        return scope;
    }

    /** The counters of every tensor that counted bytes ({@link AbstractTensor#countedBytes()}). */
    @Override
    public MemoryStats memoryStats() {
        return accounting.snapshot();
    }

    public final MemoryAccounting accounting() {
        return accounting;
    }

    /** Closes every open scope (releasing its tensors), then {@link #shutdown()}. Idempotent. */
    @Override
    public final void close() {
        List<AbstractScope<?>> scopes;
        synchronized (openScopes) {
            if (closed) {
                return;
            }
            closed = true;
            scopes = new ArrayList<>(openScopes);
        }
        for (AbstractScope<?> scope : scopes) {
            scope.close();
        }
        shutdown();
    }

    public final boolean isClosed() {
        return closed;
    }

    public final void checkOpen() {
        if (closed) {
            throw new IllegalStateException("the " + name() + " backend is closed");
        }
    }

    final void scopeClosed(AbstractScope<?> scope) {
        synchronized (openScopes) {
            openScopes.remove(scope);
        }
    }

    // ------------------------------------------------------------------ ownership

    /**
     * {@code tensor} as a tensor of this backend that has not been released.
     *
     * @throws IllegalArgumentException if it is null or belongs to another backend
     * @throws IllegalStateException    if it has been released or this backend is closed
     */
    @SuppressWarnings("unchecked")
    public final T own(String kernel, String argument, Tensor tensor) {
        if (tensor == null) {
            throw new IllegalArgumentException(kernel + ": " + argument + " must not be null");
        }
        if (!(tensor instanceof AbstractTensor t) || t.backend() != this) {
            throw new IllegalArgumentException(kernel + ": " + argument + " belongs to another backend ("
                    + tensor.getClass().getName() + " " + Args.describe(tensor) + "); expected a tensor of this "
                    + name() + " backend");
        }
        checkOpen();
        if (t.isClosed()) {
            throw new IllegalStateException(kernel + ": " + argument + " " + t.describe() + " has been released"
                    + (t.isView() ? " (it is a view and its base tensor was closed)" : ""));
        }
        // Only this backend's scopes create tensors of this backend, and they create only T.
        return (T) t;
    }

    /** {@link #own} of an optional argument: null stays null. */
    public final T ownOptional(String kernel, String argument, Tensor tensor) {
        return tensor == null ? null : own(kernel, argument, tensor);
    }

    /** {@code scope} as an open scope of this backend (the destination of a kernel). */
    public final S ownScope(String kernel, TensorScope scope) {
        if (scope == null) {
            throw new IllegalArgumentException(kernel + ": destination scope must not be null");
        }
        if (!scopeType.isInstance(scope) || scope.backend() != this) {
            throw new IllegalArgumentException(kernel + ": destination scope belongs to another backend ("
                    + scope.getClass().getName() + ")");
        }
        S s = scopeType.cast(scope);
        checkOpen();
        if (s.isClosed()) {
            throw new IllegalStateException(kernel + ": destination scope is closed");
        }
        return s;
    }
}
