package org.cogview2.backend.cuda;

import java.lang.foreign.Arena;
import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.Linker;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.SymbolLookup;
import java.lang.foreign.ValueLayout;
import java.lang.invoke.MethodHandle;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Optional;

/**
 * A {@link Device} that runs our CUDA kernel sources on the CPU: {@code src/test/emulator} compiles
 * {@code src/main/cuda/kernels.cu} with a C++ compiler against a small emulation of the CUDA features the kernels use
 * (threads of a block as fibers, shared memory, barriers, warp shuffles) into {@code libcv_emu.so}, called here
 * through the FFM API. "Device memory" is host memory. This checks the Java side (dispatch, argument packing, launch
 * geometry) and the kernels' logic on machines without a GPU; it says nothing about speed, and the tensor-core
 * kernels are not emulated.
 */
@SuppressWarnings("restricted")
final class EmulatedDevice implements Device {

    /** System property with the library's path (the build passes it); else {@code target/cuda-emulator}. */
    static final String LIBRARY_PROPERTY = "cogview2.cuda.emulator";

    private static final Linker LINKER = Linker.nativeLinker();

    private final MethodHandle launch;
    private final MethodHandle hasKernel;
    private final MethodHandle alloc;
    private final MethodHandle free;

    private EmulatedDevice(SymbolLookup lib) {
        launch = LINKER.downcallHandle(lib.find("emu_launch").orElseThrow(), FunctionDescriptor.of(ValueLayout.JAVA_INT,
                ValueLayout.ADDRESS, ValueLayout.JAVA_INT, ValueLayout.JAVA_INT, ValueLayout.JAVA_INT,
                ValueLayout.JAVA_INT, ValueLayout.JAVA_INT, ValueLayout.ADDRESS));
        hasKernel = LINKER.downcallHandle(lib.find("emu_has_kernel").orElseThrow(),
                FunctionDescriptor.of(ValueLayout.JAVA_INT, ValueLayout.ADDRESS));
        alloc = LINKER.downcallHandle(lib.find("emu_alloc").orElseThrow(),
                FunctionDescriptor.of(ValueLayout.ADDRESS, ValueLayout.JAVA_LONG));
        free = LINKER.downcallHandle(lib.find("emu_free").orElseThrow(),
                FunctionDescriptor.ofVoid(ValueLayout.ADDRESS));
    }

    /** The library, if the build made it. */
    static Optional<Path> library() {
        String p = System.getProperty(LIBRARY_PROPERTY);
        Path path = p != null && !p.isBlank() ? Path.of(p) : Path.of("target", "cuda-emulator", "libcv_emu.so");
        return Files.isRegularFile(path) ? Optional.of(path.toAbsolutePath()) : Optional.empty();
    }

    private static volatile EmulatedDevice instance;

    /** The emulated device (one per process: the library keeps global state). */
    static synchronized EmulatedDevice get() {
        if (instance == null) {
            Path path = library().orElseThrow(() -> new IllegalStateException("the CUDA emulator library was not built"));
            instance = new EmulatedDevice(SymbolLookup.libraryLookup(path, Arena.global()));
        }
        return instance;
    }

    boolean hasKernel(Kernel kernel) {
        try (Arena arena = Arena.ofConfined()) {
            return (int) hasKernel.invokeExact(arena.allocateFrom(kernel.symbol())) == 1;
        } catch (Throwable t) {
            throw new IllegalStateException(t);
        }
    }

    @Override
    public String describe() {
        return "CPU emulation of the CUDA kernels";
    }

    @Override
    public int multiprocessors() {
        return 4;
    }

    /** No opt-in beyond the default 48 KiB, so that the paths for data too large for shared memory run too. */
    @Override
    public int maxSharedOptin() {
        return 48 * 1024;
    }

    @Override
    public void makeCurrent() {
    }

    @Override
    public synchronized long allocate(long bytes) {
        try {
            MemorySegment p = (MemorySegment) alloc.invokeExact(bytes);
            if (p.address() == 0) {
                throw new OutOfDeviceMemory("emu_alloc(" + bytes + ") failed");
            }
            // Poison new memory so that kernels reading what they never wrote are caught.
            p.reinterpret(bytes).fill((byte) 0x7f);
            return p.address();
        } catch (OutOfDeviceMemory e) {
            throw e;
        } catch (Throwable t) {
            throw new IllegalStateException(t);
        }
    }

    @Override
    public synchronized void free(long address) {
        try {
            free.invokeExact(MemorySegment.ofAddress(address));
        } catch (Throwable t) {
            throw new IllegalStateException(t);
        }
    }

    @Override
    public void copyToDevice(long dst, MemorySegment src) {
        MemorySegment.copy(src, 0, MemorySegment.ofAddress(dst).reinterpret(src.byteSize()), 0, src.byteSize());
    }

    @Override
    public void copyToHost(MemorySegment dst, long src) {
        MemorySegment.copy(MemorySegment.ofAddress(src).reinterpret(dst.byteSize()), 0, dst, 0, dst.byteSize());
    }

    @Override
    public void fillZero(long dst, long bytes) {
        MemorySegment.ofAddress(dst).reinterpret(bytes).fill((byte) 0);
    }

    @Override
    public synchronized void launch(Kernel kernel, int gridX, int gridY, int gridZ, int block, int sharedBytes,
                                    Object[] args) {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment pointers = arena.allocate(ValueLayout.ADDRESS, Math.max(1, args.length));
            for (int i = 0; i < args.length; i++) {
                MemorySegment value = switch (args[i]) {
                    case Long l -> arena.allocateFrom(ValueLayout.JAVA_LONG, l);
                    case Integer n -> arena.allocateFrom(ValueLayout.JAVA_INT, n);
                    case Float f -> arena.allocateFrom(ValueLayout.JAVA_FLOAT, f);
                    case long[] fields -> arena.allocateFrom(ValueLayout.JAVA_LONG, fields);
                    default -> throw new IllegalStateException("unexpected kernel argument " + args[i]);
                };
                pointers.setAtIndex(ValueLayout.ADDRESS, i, value);
            }
            int r = (int) launch.invokeExact(arena.allocateFrom(kernel.symbol()), gridX, gridY, gridZ, block,
                    sharedBytes, pointers);
            if (r != 0) {
                throw new IllegalStateException("emulated launch of " + kernel.symbol() + " failed: "
                        + (r == 1 ? "kernel not in the emulator" : "deadlock at a barrier"));
            }
        } catch (RuntimeException e) {
            throw e;
        } catch (Throwable t) {
            throw new IllegalStateException(t);
        }
    }

    @Override
    public int staticShared(Kernel kernel) {
        return 0;
    }

    @Override
    public void allowDynamicShared(Kernel kernel, int bytes) {
    }

    @Override
    public void synchronize() {
    }

    @Override
    public long[] memoryInfo() {
        return new long[]{8L << 30, 16L << 30};
    }
}
