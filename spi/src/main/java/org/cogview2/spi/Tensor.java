package org.cogview2.spi;

/**
 * A handle to an n-dimensional array owned by a backend. Its memory may live on a device; model code
 * never reads it directly and moves data only through {@link TensorScope#readFloats} and friends.
 *
 * <p>A tensor belongs to the {@link TensorScope} that created it and is freed when that scope closes (or
 * earlier by {@link #close()}). Views made by {@link TensorScope#reshape} or {@link TensorScope#narrow}
 * share the memory of their base and become invalid when the base is freed.
 *
 * <p>Tensors are safe to read from several threads at once (for example weights shared by concurrent
 * generations); writing ({@link Kernels#copyInto}) needs exclusive access.
 */
public interface Tensor extends AutoCloseable {

    Shape shape();

    DType dtype();

    /** Whether the memory behind this handle has been released. */
    boolean isClosed();

    /** Releases this tensor's memory now rather than when its scope closes. Idempotent. */
    @Override
    void close();
}
