package org.cogview2.backend.cuda;

import org.cogview2.spi.Backend;
import org.cogview2.spi.DType;
import org.cogview2.spi.Shape;
import org.cogview2.spi.Tensor;
import org.cogview2.spi.TensorScope;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.util.ArrayList;
import java.util.Collections;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Objects;
import java.util.Set;

/**
 * A scope of the cuda backend. It remembers every tensor it created (transfers, views and kernel outputs written
 * into it) and releases them all when closed; tensors closed earlier are forgotten at once.
 *
 * <p>{@link #upload} copies straight from the caller's memory to the device with {@code cuMemcpyHtoD}: a native
 * segment (a memory-mapped checkpoint) is read at its address in chunks, never copied to the heap first.
 */
final class CudaScope implements TensorScope {

    /** Bytes per host-to-device copy of an upload. */
    static final long UPLOAD_CHUNK = 64L << 20;

    private final CudaBackend backend;
    private final Set<CudaTensor> tensors = Collections.newSetFromMap(new IdentityHashMap<>());
    private boolean closed;

    CudaScope(CudaBackend backend) {
        this.backend = backend;
    }

    @Override
    public Backend backend() {
        return backend;
    }

    boolean isClosed() {
        synchronized (tensors) {
            return closed;
        }
    }

    // ------------------------------------------------------------------ creation

    /** A new tensor owning uninitialised device memory. */
    CudaTensor allocate(DType dtype, Shape shape) {
        checkOpen();
        long bytes = Math.multiplyExact(shape.elementCount(), (long) dtype.byteSize());
        DeviceAllocator.Block block = backend.allocate(bytes);
        try {
            return register(CudaTensor.owning(backend, shape, dtype, block));
        } catch (RuntimeException e) {
            backend.released(block, bytes);
            throw e;
        }
    }

    /** A new uninitialised F32 tensor for a kernel result. */
    CudaTensor allocateF32(Shape shape) {
        return allocate(DType.F32, shape);
    }

    /** Registers a tensor with this scope. */
    CudaTensor register(CudaTensor tensor) {
        synchronized (tensors) {
            if (closed) {
                throw new IllegalStateException("this tensor scope is closed");
            }
            backend.checkOpen();
            tensors.add(tensor);
            tensor.attach(this);
        }
        return tensor;
    }

    @Override
    public Tensor upload(MemorySegment littleEndianElements, DType dtype, Shape shape) {
        Objects.requireNonNull(littleEndianElements, "upload: segment is null");
        Objects.requireNonNull(dtype, "upload: dtype is null");
        Objects.requireNonNull(shape, "upload: shape is null");
        long n = shape.elementCount();
        long expected = n * dtype.byteSize();
        if (littleEndianElements.byteSize() != expected) {
            throw new IllegalArgumentException("upload: segment holds " + littleEndianElements.byteSize()
                    + " bytes but " + n + " elements of " + dtype + " for shape " + shape + " need " + expected);
        }
        if (!littleEndianElements.scope().isAlive()) {
            throw new IllegalStateException("upload: the segment's arena is closed");
        }
        backend.enter();
        CudaTensor t = allocate(dtype, shape);
        copyToDevice(littleEndianElements, t.address(), expected);
        return t;
    }

    /** Host-to-device copy: native segments (mapped files included) at their address, heap segments via a bounce buffer. */
    private void copyToDevice(MemorySegment src, long dst, long bytes) {
        if (bytes == 0) {
            return;
        }
        if (src.isNative()) {
            backend.device().copyToDevice(dst, src);
            return;
        }
        try (Arena arena = Arena.ofConfined()) {
            long chunk = Math.min(UPLOAD_CHUNK, bytes);
            MemorySegment bounce = arena.allocate(chunk, 16);
            for (long done = 0; done < bytes; done += chunk) {
                long len = Math.min(chunk, bytes - done);
                MemorySegment.copy(src, done, bounce, 0, len);
                backend.device().copyToDevice(dst + done, bounce.asSlice(0, len));
            }
        }
    }

    @Override
    public Tensor fromFloats(float[] values, Shape shape) {
        Objects.requireNonNull(values, "fromFloats: values is null");
        Objects.requireNonNull(shape, "fromFloats: shape is null");
        if (values.length != shape.elementCount()) {
            throw new IllegalArgumentException("fromFloats: " + values.length + " values given for shape " + shape
                    + " of " + shape.elementCount() + " elements");
        }
        backend.enter();
        CudaTensor t = allocate(DType.F32, shape);
        copyToDevice(MemorySegment.ofArray(values), t.address(), 4L * values.length);
        return t;
    }

    @Override
    public Tensor fromInts(int[] values, Shape shape) {
        Objects.requireNonNull(values, "fromInts: values is null");
        Objects.requireNonNull(shape, "fromInts: shape is null");
        if (values.length != shape.elementCount()) {
            throw new IllegalArgumentException("fromInts: " + values.length + " values given for shape " + shape
                    + " of " + shape.elementCount() + " elements");
        }
        backend.enter();
        CudaTensor t = allocate(DType.I32, shape);
        copyToDevice(MemorySegment.ofArray(values), t.address(), 4L * values.length);
        return t;
    }

    @Override
    public Tensor zeros(DType dtype, Shape shape) {
        Objects.requireNonNull(dtype, "zeros: dtype is null");
        Objects.requireNonNull(shape, "zeros: shape is null");
        backend.enter();
        CudaTensor t = allocate(dtype, shape);
        if (t.bytes() > 0) {
            backend.device().fillZero(t.address(), t.bytes());
        }
        return t;
    }

    // ------------------------------------------------------------------ reading

    @Override
    public float[] readFloats(Tensor tensor) {
        CudaTensor t = backend.own("readFloats", "tensor", tensor);
        if (!t.dtype().isFloating()) {
            throw new IllegalArgumentException("readFloats: tensor must be floating (F32, F16 or BF16), got " + t.describe());
        }
        int n = hostCount("readFloats", t);
        backend.enter();
        float[] out = new float[n];
        if (n == 0) {
            return out;
        }
        if (t.dtype() == DType.F32) {
            return download(t).toArray(ValueLayout.JAVA_FLOAT);
        }
        short[] bits = download(t).toArray(ValueLayout.JAVA_SHORT);
        boolean bf16 = t.dtype() == DType.BF16;
        for (int i = 0; i < n; i++) {
            out[i] = bf16 ? Float.intBitsToFloat((bits[i] & 0xFFFF) << 16) : Float.float16ToFloat(bits[i]);
        }
        return out;
    }

    @Override
    public int[] readInts(Tensor tensor) {
        CudaTensor t = backend.own("readInts", "tensor", tensor);
        if (t.dtype().isFloating()) {
            throw new IllegalArgumentException("readInts: tensor must be an integer tensor (I32 or I64), got " + t.describe());
        }
        int n = hostCount("readInts", t);
        backend.enter();
        int[] out = new int[n];
        if (n == 0) {
            return out;
        }
        if (t.dtype() == DType.I32) {
            return download(t).toArray(ValueLayout.JAVA_INT);
        }
        long[] longs = download(t).toArray(ValueLayout.JAVA_LONG);
        for (int i = 0; i < n; i++) {
            long v = longs[i];
            if (v < Integer.MIN_VALUE || v > Integer.MAX_VALUE) {
                throw new IllegalArgumentException("I64 element " + i + " = " + v + " does not fit an int");
            }
            out[i] = (int) v;
        }
        return out;
    }

    /** The tensor's bytes, copied to a native segment (after all queued work). */
    private MemorySegment download(CudaTensor t) {
        MemorySegment host = Arena.ofAuto().allocate(t.bytes(), 16);
        backend.device().copyToHost(host, t.address());
        return host;
    }

    private static int hostCount(String what, CudaTensor t) {
        if (t.count() > Integer.MAX_VALUE - 8) {
            throw new IllegalArgumentException(what + ": tensor " + t.describe() + " has " + t.count()
                    + " elements, more than one Java array holds");
        }
        return (int) t.count();
    }

    // ------------------------------------------------------------------ views

    @Override
    public Tensor reshape(Tensor tensor, Shape shape) {
        CudaTensor t = backend.own("reshape", "tensor", tensor);
        Objects.requireNonNull(shape, "reshape: shape is null");
        if (shape.elementCount() != t.count()) {
            throw new IllegalArgumentException("reshape: shape " + shape + " has " + shape.elementCount()
                    + " elements but the tensor " + t.describe() + " has " + t.count());
        }
        checkOpen();
        return register(CudaTensor.view(t, shape, 0));
    }

    @Override
    public Tensor narrow(Tensor tensor, int start, int length) {
        CudaTensor t = backend.own("narrow", "tensor", tensor);
        Shape shape = t.shape();
        if (shape.rank() == 0) {
            throw new IllegalArgumentException("narrow: tensor must have at least one dimension, got a scalar");
        }
        int rows = shape.dim(0);
        if (start < 0 || length < 0 || (long) start + length > rows) {
            throw new IllegalArgumentException("narrow: rows [" + start + ", " + ((long) start + length)
                    + ") are outside the first dimension of " + t.describe() + " (size " + rows + ")");
        }
        checkOpen();
        long rowSize = rows == 0 ? 0 : t.count() / rows;
        return register(CudaTensor.view(t, shape.withDim(0, length), start * rowSize));
    }

    // ------------------------------------------------------------------ lifetime

    @Override
    public void close() {
        List<CudaTensor> toClose;
        synchronized (tensors) {
            if (closed) {
                return;
            }
            closed = true;
            toClose = new ArrayList<>(tensors);
            tensors.clear();
        }
        toClose.sort((a, b) -> Boolean.compare(b.isView(), a.isView()));
        for (CudaTensor t : toClose) {
            t.close();
        }
        backend.scopeClosed(this);
    }

    /** Called by a tensor of this scope closed on its own. */
    void forget(CudaTensor tensor) {
        synchronized (tensors) {
            tensors.remove(tensor);
        }
    }

    void checkOpen() {
        if (isClosed()) {
            throw new IllegalStateException("this tensor scope is closed");
        }
        backend.checkOpen();
    }
}
