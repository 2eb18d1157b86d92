package org.cogview2.backend.cuda;

import jcuda.NativePointerObject;
import jcuda.Pointer;
import jcuda.driver.CUcontext;
import jcuda.driver.CUdeviceptr;
import jcuda.driver.CUfunction_attribute;
import jcuda.driver.CUdevice;
import jcuda.driver.CUdevice_attribute;
import jcuda.driver.CUfunction;
import jcuda.driver.CUmodule;
import jcuda.driver.CUresult;
import jcuda.driver.JCudaDriver;
import org.cogview2.spi.Availability;
import org.cogview2.spi.BackendException;

import java.lang.foreign.MemorySegment;
import java.nio.charset.StandardCharsets;
import java.util.EnumMap;
import java.util.Map;
import java.util.concurrent.ConcurrentSkipListMap;

/**
 * The process-wide CUDA state of the backend: the JCuda driver library, the selected device, its primary context
 * and the module of our kernels. It is set up once, by the first {@link #probe()} (what
 * {@code CudaBackendProvider.availability()} calls), and every step that can fail on a machine without a usable GPU
 * becomes the reason of an {@link Availability#no unavailability}: kernels not compiled into the jar, the driver
 * library ({@code libcuda.so.1}) missing, no device, a device older than compute capability 8.0, a driver that cannot
 * load the kernels.
 *
 * <p>Only the CUDA driver API is used; the kernels are loaded from the packaged fatbin, or, if the driver rejects it
 * (a driver older than the toolkit that built it), JIT-compiled by the driver from the packaged PTX.
 */
final class CudaRuntime implements Device {

    /** System property: ordinal of the GPU to use (default 0). */
    static final String DEVICE_PROPERTY = "cogview2.cuda.device";

    private static final Object LOCK = new Object();
    private static volatile Probe probe;

    /** The outcome of setting up CUDA: a runtime, or why there is none. */
    record Probe(CudaRuntime runtime, Availability availability) {
    }

    private final CUdevice device;
    private final CUcontext context;
    private final CUmodule module;
    private final Map<Kernel, CUfunction> functions;
    private final String deviceName;
    private final int ordinal;
    private final int ccMajor;
    private final int ccMinor;
    private final int multiprocessors;
    private final int maxSharedOptin;
    private final int driverVersion;
    private final String loadedFrom;

    private CudaRuntime(CUdevice device, CUcontext context, CUmodule module, Map<Kernel, CUfunction> functions,
                        String deviceName, int ordinal, int ccMajor, int ccMinor, int multiprocessors,
                        int maxSharedOptin, int driverVersion, String loadedFrom) {
        this.device = device;
        this.context = context;
        this.module = module;
        this.functions = functions;
        this.deviceName = deviceName;
        this.ordinal = ordinal;
        this.ccMajor = ccMajor;
        this.ccMinor = ccMinor;
        this.multiprocessors = multiprocessors;
        this.maxSharedOptin = maxSharedOptin;
        this.driverVersion = driverVersion;
        this.loadedFrom = loadedFrom;
    }

    /** Sets CUDA up the first time (never throws); later calls return the same outcome. */
    static Probe probe() {
        Probe p = probe;
        if (p != null) {
            return p;
        }
        synchronized (LOCK) {
            if (probe == null) {
                probe = setUp();
            }
            return probe;
        }
    }

    /** The runtime, or a {@link BackendException} with the reason it is unavailable. */
    static CudaRuntime get() {
        Probe p = probe();
        if (p.runtime() == null) {
            throw new BackendException("the cuda backend is unavailable: " + p.availability().reason());
        }
        return p.runtime();
    }

    private static Probe setUp() {
        KernelBinary binary = KernelBinary.packaged();
        if (!binary.compiled()) {
            return new Probe(null, Availability.no(binary.reason()));
        }
        try {
            return new Probe(start(binary), Availability.yes());
        } catch (Unavailable e) {
            return new Probe(null, Availability.no(e.getMessage()));
        } catch (LinkageError e) {
            return new Probe(null, Availability.no(describeLinkageError(e)));
        } catch (RuntimeException e) {
            return new Probe(null, Availability.no("CUDA could not be initialised: " + e));
        }
    }

    /** A reason for users from the error JCuda throws when its native library (or the driver's) cannot be loaded. */
    static String describeLinkageError(Throwable e) {
        StringBuilder all = new StringBuilder();
        for (Throwable t = e; t != null; t = t.getCause()) {
            all.append(t.getMessage()).append('\n');
        }
        String text = all.toString();
        if (text.contains("libcuda")) {
            return "no NVIDIA driver found (libcuda.so.1 could not be loaded)";
        }
        if (e instanceof NoClassDefFoundError) {
            return "the JCuda driver library could not be initialised earlier in this process (" + e.getMessage() + ")";
        }
        String first = e.getMessage() == null ? e.toString() : e.getMessage().lines().findFirst().orElse(e.toString());
        return "the CUDA driver library could not be loaded: " + first;
    }

    /** A failed set-up step whose message is the unavailability reason. */
    private static final class Unavailable extends Exception {
        Unavailable(String reason) {
            super(reason);
        }
    }

    private static CudaRuntime start(KernelBinary binary) throws Unavailable {
        // Loads JCuda's native library, which needs the driver's libcuda.so.1 (a LinkageError without a driver).
        int init = JCudaDriver.cuInit(0);
        if (init == CUresult.CUDA_ERROR_NO_DEVICE) {
            throw new Unavailable("no CUDA device found (cuInit: CUDA_ERROR_NO_DEVICE)");
        }
        if (init != CUresult.CUDA_SUCCESS) {
            throw new Unavailable("the NVIDIA driver could not be initialised (cuInit: " + Cuda.describe(init) + ")");
        }
        int[] driver = new int[1];
        JCudaDriver.cuDriverGetVersion(driver);
        int[] count = new int[1];
        int r = JCudaDriver.cuDeviceGetCount(count);
        if (r != CUresult.CUDA_SUCCESS || count[0] == 0) {
            throw new Unavailable("no CUDA device found");
        }
        int ordinal = deviceOrdinal(count[0]);
        CUdevice device = new CUdevice();
        require(JCudaDriver.cuDeviceGet(device, ordinal), "cuDeviceGet(" + ordinal + ")");
        byte[] nameBytes = new byte[256];
        JCudaDriver.cuDeviceGetName(nameBytes, nameBytes.length, device);
        String name = new String(nameBytes, StandardCharsets.US_ASCII).trim().replace("\0", "");
        int major = attribute(device, CUdevice_attribute.CU_DEVICE_ATTRIBUTE_COMPUTE_CAPABILITY_MAJOR);
        int minor = attribute(device, CUdevice_attribute.CU_DEVICE_ATTRIBUTE_COMPUTE_CAPABILITY_MINOR);
        if (major < 8) {
            throw new Unavailable("GPU " + ordinal + " (" + name + ") has compute capability " + major + "." + minor
                    + "; the cuda backend needs 8.0 or newer (Ampere or later)");
        }
        int sms = attribute(device, CUdevice_attribute.CU_DEVICE_ATTRIBUTE_MULTIPROCESSOR_COUNT);
        int optin = attribute(device, CUdevice_attribute.CU_DEVICE_ATTRIBUTE_MAX_SHARED_MEMORY_PER_BLOCK_OPTIN);

        CUcontext context = new CUcontext();
        require(JCudaDriver.cuDevicePrimaryCtxRetain(context, device), "cuDevicePrimaryCtxRetain");
        require(JCudaDriver.cuCtxSetCurrent(context), "cuCtxSetCurrent");

        CUmodule module = new CUmodule();
        String loadedFrom;
        int fat = JCudaDriver.cuModuleLoadData(module, binary.fatbin());
        if (fat == CUresult.CUDA_SUCCESS) {
            loadedFrom = "fatbin";
        } else {
            // A driver older than the toolkit rejects its cubins and PTX: let it JIT our lowered-ISA PTX instead.
            int ptx = JCudaDriver.cuModuleLoadData(module, binary.ptx());
            if (ptx != CUresult.CUDA_SUCCESS) {
                JCudaDriver.cuDevicePrimaryCtxRelease(device);
                throw new Unavailable("the NVIDIA driver (CUDA " + version(driver[0]) + ") cannot load the kernels built"
                        + " with CUDA " + binary.toolkit().orElse("?") + ": fatbin " + Cuda.describe(fat) + ", PTX ISA "
                        + binary.property("ptx.version") + " " + Cuda.describe(ptx)
                        + " (update the driver, or rebuild the module with an older nvcc)");
            }
            loadedFrom = "PTX (JIT by the driver; the fatbin was rejected: " + Cuda.describe(fat) + ")";
        }
        Map<Kernel, CUfunction> functions = new EnumMap<>(Kernel.class);
        for (Kernel k : Kernel.values()) {
            CUfunction f = new CUfunction();
            int found = JCudaDriver.cuModuleGetFunction(f, module, k.symbol());
            if (found != CUresult.CUDA_SUCCESS) {
                JCudaDriver.cuDevicePrimaryCtxRelease(device);
                throw new Unavailable("the packaged kernels lack " + k.symbol() + " (" + Cuda.describe(found)
                        + "): the jar was built from other sources");
            }
            functions.put(k, f);
        }
        return new CudaRuntime(device, context, module, functions, name, ordinal, major, minor, sms, optin, driver[0],
                loadedFrom);
    }

    private static int deviceOrdinal(int count) throws Unavailable {
        String value = System.getProperty(DEVICE_PROPERTY);
        if (value == null || value.isBlank()) {
            return 0;
        }
        try {
            int ordinal = Integer.parseInt(value.strip());
            if (ordinal < 0 || ordinal >= count) {
                throw new Unavailable(DEVICE_PROPERTY + "=" + ordinal + " but there " + (count == 1 ? "is 1 GPU" : "are "
                        + count + " GPUs"));
            }
            return ordinal;
        } catch (NumberFormatException e) {
            throw new Unavailable(DEVICE_PROPERTY + " must be a GPU ordinal, got '" + value + "'");
        }
    }

    private static int attribute(CUdevice device, int attribute) throws Unavailable {
        int[] v = new int[1];
        require(JCudaDriver.cuDeviceGetAttribute(v, attribute, device), "cuDeviceGetAttribute(" + attribute + ")");
        return v[0];
    }

    private static void require(int result, String what) throws Unavailable {
        if (result != CUresult.CUDA_SUCCESS) {
            throw new Unavailable(what + " failed: " + Cuda.describe(result));
        }
    }

    private static String version(int v) {
        return (v / 1000) + "." + (v % 1000) / 10;
    }

    // ------------------------------------------------------------------ Device

    /** Bytes per host-to-device copy. */
    static final long COPY_CHUNK = 64L << 20;

    /** Live allocations by address, so that any device address can be handed to the driver as base + offset. */
    private final ConcurrentSkipListMap<Long, CUdeviceptr> allocations = new ConcurrentSkipListMap<>();

    @Override
    public String describe() {
        return toString();
    }

    /** Makes the primary context current on the calling thread (every entry point of the backend calls it). */
    @Override
    public void makeCurrent() {
        Cuda.check(JCudaDriver.cuCtxSetCurrent(context), "cuCtxSetCurrent");
    }

    @Override
    public long allocate(long bytes) {
        CUdeviceptr ptr = new CUdeviceptr();
        int r = JCudaDriver.cuMemAlloc(ptr, bytes);
        if (r == CUresult.CUDA_ERROR_OUT_OF_MEMORY) {
            throw new OutOfDeviceMemory("cuMemAlloc(" + bytes + "): CUDA_ERROR_OUT_OF_MEMORY");
        }
        Cuda.check(r, "cuMemAlloc(" + bytes + ")");
        long address = RawPointer.addressOf(ptr);
        allocations.put(address, ptr);
        return address;
    }

    @Override
    public void free(long address) {
        CUdeviceptr ptr = allocations.remove(address);
        if (ptr == null) {
            throw new IllegalStateException("cuda: no allocation at 0x" + Long.toHexString(address));
        }
        int r = JCudaDriver.cuMemFree(ptr);
        if (r != CUresult.CUDA_SUCCESS && r != CUresult.CUDA_ERROR_DEINITIALIZED) {
            Cuda.check(r, "cuMemFree");
        }
    }

    /** A driver pointer for a device address inside a live allocation: the allocation's pointer plus the offset. */
    private CUdeviceptr pointer(long address) {
        Map.Entry<Long, CUdeviceptr> e = allocations.floorEntry(address);
        if (e == null) {
            throw new IllegalStateException("cuda: 0x" + Long.toHexString(address) + " is not in a live allocation");
        }
        long offset = address - e.getKey();
        return offset == 0 ? e.getValue() : e.getValue().withByteOffset(offset);
    }

    @Override
    public void copyToDevice(long dst, MemorySegment src) {
        long bytes = src.byteSize();
        for (long done = 0; done < bytes; done += COPY_CHUNK) {
            long len = Math.min(COPY_CHUNK, bytes - done);
            Cuda.check(JCudaDriver.cuMemcpyHtoD(pointer(dst + done), RawPointer.host(src.address() + done), len),
                    "cuMemcpyHtoD(" + len + " bytes)");
        }
    }

    @Override
    public void copyToHost(MemorySegment dst, long src) {
        if (dst.byteSize() > 0) {
            Cuda.check(JCudaDriver.cuMemcpyDtoH(RawPointer.host(dst.address()), pointer(src), dst.byteSize()),
                    "cuMemcpyDtoH(" + dst.byteSize() + " bytes)");
        }
    }

    @Override
    public void fillZero(long dst, long bytes) {
        Cuda.check(JCudaDriver.cuMemsetD8(pointer(dst), (byte) 0, bytes), "cuMemsetD8");
    }

    @Override
    public void launch(Kernel kernel, int gridX, int gridY, int gridZ, int block, int sharedBytes, Object[] args) {
        NativePointerObject[] values = new NativePointerObject[args.length];
        for (int i = 0; i < args.length; i++) {
            values[i] = switch (args[i]) {
                case Long l -> Pointer.to(new long[]{l});
                case Integer n -> Pointer.to(new int[]{n});
                case Float f -> Pointer.to(new float[]{f});
                case long[] fields -> Pointer.to(fields);
                default -> throw new IllegalStateException("unexpected kernel argument " + args[i]);
            };
        }
        int r = JCudaDriver.cuLaunchKernel(functions.get(kernel), gridX, gridY, gridZ, block, 1, 1, sharedBytes, null,
                Pointer.to(values), null);
        Cuda.check(r, "launch of " + kernel.symbol() + " (grid " + gridX + "x" + gridY + "x" + gridZ + ", block "
                + block + ", shared " + sharedBytes + " bytes)");
    }

    @Override
    public int staticShared(Kernel kernel) {
        int[] v = new int[1];
        Cuda.check(JCudaDriver.cuFuncGetAttribute(v, CUfunction_attribute.CU_FUNC_ATTRIBUTE_SHARED_SIZE_BYTES,
                functions.get(kernel)), "cuFuncGetAttribute(" + kernel.symbol() + ", shared size)");
        return v[0];
    }

    @Override
    public void allowDynamicShared(Kernel kernel, int bytes) {
        Cuda.check(JCudaDriver.cuFuncSetAttribute(functions.get(kernel),
                CUfunction_attribute.CU_FUNC_ATTRIBUTE_MAX_DYNAMIC_SHARED_SIZE_BYTES, bytes),
                "cuFuncSetAttribute(" + kernel.symbol() + ", max dynamic shared " + bytes + ")");
    }

    @Override
    public void synchronize() {
        Cuda.check(JCudaDriver.cuCtxSynchronize(), "cuCtxSynchronize");
    }

    @Override
    public long[] memoryInfo() {
        long[] free = new long[1];
        long[] total = new long[1];
        Cuda.check(JCudaDriver.cuMemGetInfo(free, total), "cuMemGetInfo");
        return new long[]{free[0], total[0]};
    }

    CUdevice device() {
        return device;
    }

    String deviceName() {
        return deviceName;
    }

    int ordinal() {
        return ordinal;
    }

    /** Compute capability, e.g. {@code 9.0}. */
    String computeCapability() {
        return ccMajor + "." + ccMinor;
    }

    @Override
    public int multiprocessors() {
        return multiprocessors;
    }

    @Override
    public int maxSharedOptin() {
        return maxSharedOptin;
    }

    String driverVersion() {
        return version(driverVersion);
    }

    /** "fatbin" or a note that the PTX was JIT-compiled. */
    String loadedFrom() {
        return loadedFrom;
    }

    CUmodule module() {
        return module;
    }

    @Override
    public String toString() {
        return "GPU " + ordinal + " " + deviceName + " (compute " + computeCapability() + ", " + multiprocessors
                + " SMs, driver CUDA " + driverVersion() + ", kernels from " + loadedFrom + ")";
    }
}
