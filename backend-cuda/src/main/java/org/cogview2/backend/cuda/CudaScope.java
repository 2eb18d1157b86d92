package org.cogview2.backend.cuda;

import org.cogview2.spi.DType;
import org.cogview2.spi.Shape;
import org.cogview2.spi.support.AbstractScope;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;

/**
 * A scope of the cuda backend: {@link AbstractScope} keeps its tensors and checks every transfer; this class moves
 * the bytes between the host and the device.
 *
 * <p>{@link #upload} copies straight from the caller's memory to the device with {@code cuMemcpyHtoD}: a native
 * segment (a memory-mapped checkpoint) is read at its address in chunks, never copied to the heap first.
 */
final class CudaScope extends AbstractScope<CudaTensor> {

    /** Bytes per host-to-device copy of an upload. */
    static final long UPLOAD_CHUNK = 64L << 20;

    private final CudaBackend backend;

    CudaScope(CudaBackend backend) {
        super(backend);
        this.backend = backend;
    }

    // ------------------------------------------------------------------ creation

    /** A new tensor owning uninitialised device memory (a kernel writes every element). */
    @Override
    protected CudaTensor allocateUnchecked(DType dtype, Shape shape) {
        long bytes = Math.multiplyExact(shape.elementCount(), (long) dtype.byteSize());
        DeviceAllocator.Block block = backend.allocate(bytes);
        try {
            return register(CudaTensor.owning(backend, shape, dtype, block));
        } catch (RuntimeException e) {
            backend.released(block, bytes);
            throw e;
        }
    }

    @Override
    protected CudaTensor zerosUnchecked(DType dtype, Shape shape) {
        backend.enter();
        CudaTensor t = allocateUnchecked(dtype, shape);
        if (t.bytes() > 0) {
            backend.device().fillZero(t.address(), t.bytes());
        }
        return t;
    }

    @Override
    protected CudaTensor uploadUnchecked(MemorySegment littleEndianElements, DType dtype, Shape shape) {
        backend.enter();
        CudaTensor t = allocateUnchecked(dtype, shape);
        copyToDevice(littleEndianElements, t.address(), t.bytes());
        return t;
    }

    @Override
    protected CudaTensor fromFloatsUnchecked(float[] values, Shape shape) {
        backend.enter();
        CudaTensor t = allocateUnchecked(DType.F32, shape);
        copyToDevice(MemorySegment.ofArray(values), t.address(), 4L * values.length);
        return t;
    }

    @Override
    protected CudaTensor fromIntsUnchecked(int[] values, Shape shape) {
        backend.enter();
        CudaTensor t = allocateUnchecked(DType.I32, shape);
        copyToDevice(MemorySegment.ofArray(values), t.address(), 4L * values.length);
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

    // ------------------------------------------------------------------ reading

    @Override
    protected float[] readFloatsUnchecked(CudaTensor t) {
        int n = (int) t.count();
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
    protected int[] readIntsUnchecked(CudaTensor t) {
        int n = (int) t.count();
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

    // ------------------------------------------------------------------ views

    @Override
    protected CudaTensor view(CudaTensor base, Shape shape, long extraOffset) {
        return CudaTensor.view(base, shape, extraOffset);
    }
}
