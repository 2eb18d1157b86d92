package org.cogview2.backend.cuda;

import org.cogview2.spi.BackendException;

import java.util.EnumMap;
import java.util.Map;

/**
 * Launches kernels in order on the device's default stream: kernels, copies and transfers of all threads are
 * serialised there, so memory released by one call and reused by the next is never in use twice.
 * Arguments are checked against the {@link Kernel} signature; pointer arguments are {@link CudaTensor}s (their device
 * address including the view offset), raw addresses wrapped by {@link #address}, or null.
 */
final class Launcher {

    /** Most blocks of a grid-stride launch; the kernels loop over the rest. */
    static final int MAX_GRID_STRIDE_BLOCKS = 1 << 20;
    /** Limit of gridDim.y and gridDim.z. */
    static final int MAX_GRID_YZ = 65535;
    /** Shared memory (static plus dynamic) a block may use without opting in. */
    static final int DEFAULT_SHARED = 48 * 1024;

    private final Device device;
    private final boolean synchronous;
    private final Map<Kernel, Integer> dynamicSharedLimit = new EnumMap<>(Kernel.class);
    private final Map<Kernel, Integer> staticShared = new EnumMap<>(Kernel.class);

    Launcher(Device device, boolean synchronous) {
        this.device = device;
        this.synchronous = synchronous;
    }

    /** A raw device address (for scratch allocations and offsets into tensors). */
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
        Object[] values = new Object[args.length];
        for (int i = 0; i < args.length; i++) {
            values[i] = argument(kernel, i, params.get(i), args[i]);
        }
        device.makeCurrent();
        if (sharedBytes > 0) {
            allowDynamicShared(kernel, sharedBytes);
        }
        device.launch(kernel, (int) gridX, gridY, gridZ, block, sharedBytes, values);
        if (synchronous) {
            device.synchronize();
        }
    }

    /** Opts the kernel in to more than the default 48 KiB of shared memory (static plus dynamic) when needed. */
    private synchronized void allowDynamicShared(Kernel kernel, int bytes) {
        int fixed = staticShared.computeIfAbsent(kernel, device::staticShared);
        if (fixed + bytes <= DEFAULT_SHARED) {
            return;
        }
        if (fixed + bytes > device.maxSharedOptin()) {
            throw new BackendException(kernel.symbol() + ": needs " + (fixed + bytes) + " bytes of shared memory, the GPU"
                    + " allows " + device.maxSharedOptin() + " per block");
        }
        Integer current = dynamicSharedLimit.get(kernel);
        if (current == null || current < bytes) {
            device.allowDynamicShared(kernel, bytes);
            dynamicSharedLimit.put(kernel, bytes);
        }
    }

    private static Object argument(Kernel kernel, int index, Kernel.Param param, Object arg) {
        try {
            return switch (param) {
                case PTR -> switch (arg) {
                    case null -> 0L;
                    case CudaTensor t -> t.address();
                    case Address a -> a.value();
                    default -> throw new IllegalArgumentException("not a pointer: " + arg.getClass().getName());
                };
                case I32 -> (Integer) arg;
                case I64 -> ((Number) arg).longValue();
                case F32 -> (Float) arg;
                case PERMUTE -> {
                    long[] fields = (long[]) arg;
                    if (fields.length != Kernel.PERMUTE_FIELDS) {
                        throw new IllegalArgumentException("PermuteArgs has " + Kernel.PERMUTE_FIELDS + " fields");
                    }
                    yield fields;
                }
            };
        } catch (ClassCastException | NullPointerException | IllegalArgumentException e) {
            throw new IllegalStateException(kernel.symbol() + ": argument " + index + " must be " + param + ", got "
                    + (arg == null ? "null" : arg.getClass().getSimpleName() + " " + arg), e);
        }
    }
}
