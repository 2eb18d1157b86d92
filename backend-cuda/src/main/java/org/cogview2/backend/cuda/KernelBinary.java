package org.cogview2.backend.cuda;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.util.Optional;
import java.util.Properties;

/**
 * The compiled kernels packaged with this module by {@code src/main/cuda/build-fatbin.sh}: {@code kernels.fatbin}
 * (SASS for sm_80 and sm_90 plus compute_80 PTX), {@code kernels.ptx} (compute_80 PTX with the oldest PTX ISA version
 * that accepts it, for drivers older than the toolkit) and {@code cuda-kernels.properties} (whether they were built
 * and with what). Reading them needs no GPU.
 */
public final class KernelBinary {

    /** Resource names, relative to this class. */
    static final String FATBIN = "kernels.fatbin";
    static final String PTX = "kernels.ptx";
    static final String PROPERTIES = "cuda-kernels.properties";

    /** The reason when the jar holds no kernels at all (built without the kernel build script). */
    static final String NOT_BUILT = "kernels were not compiled (the jar holds no cuda-kernels.properties)";

    private final Properties properties;

    private KernelBinary(Properties properties) {
        this.properties = properties;
    }

    /** The build description packaged with this module (an empty one, reporting "not compiled", if missing). */
    public static KernelBinary packaged() {
        Properties p = new Properties();
        try (InputStream in = KernelBinary.class.getResourceAsStream(PROPERTIES)) {
            if (in == null) {
                p.setProperty("status", "not-compiled");
                p.setProperty("reason", NOT_BUILT);
            } else {
                p.load(in);
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read " + PROPERTIES + ": " + e.getMessage(), e);
        }
        return new KernelBinary(p);
    }

    /** Whether the kernels were compiled into this jar. */
    public boolean compiled() {
        return "compiled".equals(properties.getProperty("status")) && resourceExists(FATBIN);
    }

    /** Why the kernels are missing (only meaningful when {@link #compiled()} is false). */
    public String reason() {
        if ("compiled".equals(properties.getProperty("status")) && !resourceExists(FATBIN)) {
            return "kernels were not compiled (" + FATBIN + " is missing from the jar)";
        }
        return properties.getProperty("reason", NOT_BUILT);
    }

    /** The CUDA toolkit release that compiled the kernels, e.g. {@code 13.0}. */
    public Optional<String> toolkit() {
        return Optional.ofNullable(properties.getProperty("toolkit"));
    }

    /** A one-line description: toolkit, SASS targets, PTX target and PTX ISA version. */
    public String describe() {
        if (!compiled()) {
            return reason();
        }
        return "CUDA " + properties.getProperty("toolkit", "?") + " kernels, SASS " + properties.getProperty("sass", "?")
                + ", PTX " + properties.getProperty("ptx", "?") + " (ISA " + properties.getProperty("ptx.version", "?")
                + ")";
    }

    /** Any property of the build, for reports. */
    public String property(String key) {
        return properties.getProperty(key);
    }

    /** The fatbin's bytes. */
    byte[] fatbin() {
        return read(FATBIN, false);
    }

    /** The PTX text as a NUL-terminated byte string (what {@code cuModuleLoadData} expects). */
    byte[] ptx() {
        return read(PTX, true);
    }

    private static boolean resourceExists(String name) {
        return KernelBinary.class.getResource(name) != null;
    }

    private static byte[] read(String name, boolean nulTerminated) {
        try (InputStream in = KernelBinary.class.getResourceAsStream(name)) {
            if (in == null) {
                throw new IllegalStateException("the resource " + name + " is missing from the cuda backend's jar");
            }
            byte[] bytes = in.readAllBytes();
            if (!nulTerminated) {
                return bytes;
            }
            byte[] withNul = new byte[bytes.length + 1];
            System.arraycopy(bytes, 0, withNul, 0, bytes.length);
            return withNul;
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read " + name + ": " + e.getMessage(), e);
        }
    }
}
