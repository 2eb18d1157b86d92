package org.cogview2.backend.cuda;

import jcuda.NativePointerObject;
import jcuda.Pointer;
import jcuda.driver.CUfunction;
import jcuda.driver.CUfunction_attribute;
import jcuda.driver.JCudaDriver;
import org.cogview2.spi.BackendException;

import java.util.EnumMap;
import java.util.Map;

/**
 * Launches kernels on the context's default stream, in order: kernels, copies and transfers of all threads are
 * serialised on that stream, so memory released by one call and reused by the next is never in use twice.
 * Arguments are checked against the {@link Kernel} signature; pointer arguments are {@link CudaTensor}s (their device
 * address including the view offset), raw {@code Long} addresses tagged with {@link #address}, or null.
 */
final class Launcher {

    /** Most blocks of a grid-stride launch; the kernels loop over the rest. */
    static final int MAX_GRID_STRIDE_BLOCKS = 1 << 20;
    /** Limit of gridDim.y and gridDim.z. */
    static final int MAX_GRID_YZ = 65535;
    /** Shared memory (static plus dynamic) a block may use without opting in. */
    static final int DEFAULT_SHARED = 48 * 1024;

    private final CudaRuntime runtime;
    private final boolean synchronous;
    private final Map<Kernel, Integer> dynamicSharedLimit = new EnumMap<>(Kernel.class);
    private final Map<Kernel, Integer> staticShared = new EnumMap<>(Kernel.class);

    Launcher(CudaRuntime runtime, boolean synchronous) {
        this.runtime = runtime;
        this.synchronous = synchronous;
    }

    /** A raw device address (for scratch allocations that are not tensors). */
    record Address(long value) {
    }

    static Address address(long value) {
        return new Address(value);
    }

    /** Blocks of {@code threads} covering {@code n} elements, capped for grid-stride kernels. */
    static int gridFor(long n, int threads) {
        long blocks = (n + threads - 1) / threads;
        return (int) Math.min(blocks, MAX_GRID_STRIDE_BLOCKS);
    }

    /** A one-dimensional launch without dynamic shared memory. */
    void launch1d(Kernel kernel, long gridX, int block, Object... args) {
        launch(kernel, gridX, 1, 1, block, 0, args);
    }

    /**
     * Launches {@code kernel} on a {@code gridX x gridY x gridZ} grid of {@code block}-thread blocks with
     * {@code sharedBytes} of dynamic shared memory. An empty grid launches nothing.
     */
    void launch(Kernel kernel, long gridX, int gridY, int gridZ, int block, int sharedBytes, Object... args) {
        if (gridX <= 0 || gridY <= 0 || gridZ <= 0) {
            return;
        }
        if (gridX > Integer.MAX_VALUE || gridY > MAX_GRID_YZ || gridZ > MAX_GRID_YZ) {
            throw new BackendException(kernel.symbol() + ": grid " + gridX + " x " + gridY + " x " + gridZ
                    + " exceeds the CUDA limits");
        }
        var params = kernel.params();
        if (args.length != params.size()) {
            throw new IllegalStateException(kernel.symbol() + " takes " + params.size() + " arguments, got " + args.length);
        }
        NativePointerObject[] values = new NativePointerObject[args.length];
        for (int i = 0; i < args.length; i++) {
            values[i] = argument(kernel, i, params.get(i), args[i]);
        }
        runtime.makeCurrent();
        if (sharedBytes > 0) {
            allowDynamicShared(kernel, sharedBytes);
        }
        CUfunction f = runtime.function(kernel);
        int r = JCudaDriver.cuLaunchKernel(f, (int) gridX, gridY, gridZ, block, 1, 1, sharedBytes, null,
                Pointer.to(values), null);
        Cuda.check(r, "launch of " + kernel.symbol() + " (grid " + gridX + "x" + gridY + "x" + gridZ + ", block "
                + block + ", shared " + sharedBytes + " bytes)");
        if (synchronous) {
            Cuda.check(JCudaDriver.cuCtxSynchronize(), kernel.symbol());
        }
    }

    /** Opts the kernel in to more than the default 48 KiB of shared memory (static plus dynamic) when needed. */
    private synchronized void allowDynamicShared(Kernel kernel, int bytes) {
        int fixed = staticShared.computeIfAbsent(kernel, k -> {
            int[] v = new int[1];
            Cuda.check(JCudaDriver.cuFuncGetAttribute(v, CUfunction_attribute.CU_FUNC_ATTRIBUTE_SHARED_SIZE_BYTES,
                    runtime.function(k)), "cuFuncGetAttribute(" + k.symbol() + ", shared size)");
            return v[0];
        });
        if (fixed + bytes <= DEFAULT_SHARED) {
            return;
        }
        if (fixed + bytes > runtime.maxSharedOptin()) {
            throw new BackendException(kernel.symbol() + ": needs " + (fixed + bytes) + " bytes of shared memory, the GPU"
                    + " allows " + runtime.maxSharedOptin() + " per block");
        }
        Integer current = dynamicSharedLimit.get(kernel);
        if (current == null || current < bytes) {
            Cuda.check(JCudaDriver.cuFuncSetAttribute(runtime.function(kernel),
                    CUfunction_attribute.CU_FUNC_ATTRIBUTE_MAX_DYNAMIC_SHARED_SIZE_BYTES, bytes),
                    "cuFuncSetAttribute(" + kernel.symbol() + ", max dynamic shared " + bytes + ")");
            dynamicSharedLimit.put(kernel, bytes);
        }
    }

    private static Pointer argument(Kernel kernel, int index, Kernel.Param param, Object arg) {
        try {
            return switch (param) {
                case PTR -> Pointer.to(new long[]{switch (arg) {
                    case null -> 0L;
                    case CudaTensor t -> t.address();
                    case Address a -> a.value();
                    default -> throw new IllegalArgumentException("not a pointer: " + arg.getClass().getName());
                }});
                case I32 -> Pointer.to(new int[]{(Integer) arg});
                case I64 -> Pointer.to(new long[]{((Number) arg).longValue()});
                case F32 -> Pointer.to(new float[]{(Float) arg});
                case PERMUTE -> {
                    long[] fields = (long[]) arg;
                    if (fields.length != Kernel.PERMUTE_FIELDS) {
                        throw new IllegalArgumentException("PermuteArgs has " + Kernel.PERMUTE_FIELDS + " fields");
                    }
                    yield Pointer.to(fields);
                }
            };
        } catch (ClassCastException | NullPointerException | IllegalArgumentException e) {
            throw new IllegalStateException(kernel.symbol() + ": argument " + index + " must be " + param + ", got "
                    + (arg == null ? "null" : arg.getClass().getSimpleName() + " " + arg), e);
        }
    }
}
