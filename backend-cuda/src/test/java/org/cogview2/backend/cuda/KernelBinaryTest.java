package org.cogview2.backend.cuda;

import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The kernels packaged by the build, checked without a GPU: the fatbin and PTX are present exactly when nvcc was, and
 * every kernel {@link Launcher} can launch exists in the PTX with the parameter types of its {@link Kernel} signature.
 */
class KernelBinaryTest {

    private static final Pattern ENTRY = Pattern.compile("\\.entry\\s+(\\w+)\\s*\\(([^)]*)\\)", Pattern.DOTALL);
    private static final Pattern PARAM = Pattern.compile(
            "\\.param\\s+(?:\\.align\\s+\\d+\\s+)?(\\.\\w+)(?:\\s+\\.ptr(?:\\s+\\.\\w+)*(?:\\s+\\.align\\s+\\d+)?)?\\s+\\w+(?:\\[(\\d+)])?");

    @Test
    void kernelsArePackagedExactlyWhenNvccWasAvailable() {
        KernelBinary binary = KernelBinary.packaged();
        if (!binary.compiled()) {
            assertTrue(binary.reason().startsWith("kernels were not compiled"), binary.reason());
            assertFalse(nvccOnPath() && System.getenv("NVCC") == null && !"skip".equals(System.getProperty("cuda.kernels")),
                    "nvcc is on the PATH but the kernels were not compiled: " + binary.reason());
            return;
        }
        assertEquals("compiled", binary.property("status"));
        assertTrue(binary.property("sass").contains("sm_80"), binary.property("sass"));
        assertTrue(binary.property("sass").contains("sm_90"), binary.property("sass"));
        assertEquals("compute_80", binary.property("ptx"));
        byte[] fatbin = binary.fatbin();
        assertTrue(fatbin.length > 1024, "fatbin of " + fatbin.length + " bytes");
        // The fatbin container's magic number 0xBA55ED50, little-endian.
        assertArrayEquals(new byte[]{0x50, (byte) 0xED, 0x55, (byte) 0xBA}, java.util.Arrays.copyOf(fatbin, 4));
        String ptx = ptxText();
        assertTrue(ptx.contains(".target sm_80"), "PTX target");
        assertTrue(ptx.contains(".version " + binary.property("ptx.version")), "PTX ISA version");
        byte[] loadable = binary.ptx();
        assertEquals(0, loadable[loadable.length - 1], "NUL-terminated for cuModuleLoadData");
    }

    @Test
    void everyKernelSignatureMatchesThePtx() throws IOException {
        Assumptions.assumeTrue(KernelBinary.packaged().compiled(), "kernels not compiled here: "
                + KernelBinary.packaged().reason());
        Map<String, List<String>> entries = entries(ptxText());
        List<String> problems = new ArrayList<>();
        for (Kernel k : Kernel.values()) {
            List<String> ptxParams = entries.remove(k.symbol());
            if (ptxParams == null) {
                problems.add(k.symbol() + ": not in the PTX");
                continue;
            }
            List<String> expected = k.params().stream().map(Kernel.Param::ptxType).toList();
            if (!expected.equals(ptxParams)) {
                problems.add(k.symbol() + ": Java " + expected + " vs PTX " + ptxParams);
            }
        }
        for (String unused : entries.keySet()) {
            problems.add(unused + ": in the PTX but not in Kernel.java");
        }
        assertTrue(problems.isEmpty(), String.join("\n", problems));
    }

    @Test
    void theParserReadsPtxDeclarations() {
        Map<String, List<String>> e = entries(".visible .entry cv_x(\n\t.param .u64 cv_x_param_0,\n\t.param .f32 cv_x_param_1,"
                + "\n\t.param .align 8 .b8 cv_x_param_2[136],\n\t.param .u64 .ptr .global .align 4 cv_x_param_3\n)\n{");
        assertEquals(List.of(".u64", ".f32", ".b8[136]", ".u64"), e.get("cv_x"));
    }

    private static Map<String, List<String>> entries(String ptx) {
        Map<String, List<String>> out = new LinkedHashMap<>();
        Matcher m = ENTRY.matcher(ptx);
        while (m.find()) {
            List<String> params = new ArrayList<>();
            Matcher p = PARAM.matcher(m.group(2));
            while (p.find()) {
                params.add(p.group(2) == null ? p.group(1) : p.group(1) + "[" + p.group(2) + "]");
            }
            out.put(m.group(1), params);
        }
        return out;
    }

    private static String ptxText() {
        try (InputStream in = KernelBinary.class.getResourceAsStream(KernelBinary.PTX)) {
            assertNotNull(in, "kernels.ptx in the jar");
            return new String(in.readAllBytes(), StandardCharsets.US_ASCII);
        } catch (IOException e) {
            throw new AssertionError(e);
        }
    }

    private static boolean nvccOnPath() {
        String path = System.getenv("PATH");
        if (path == null) {
            return false;
        }
        for (String dir : path.split(java.io.File.pathSeparator)) {
            if (!dir.isEmpty() && Files.isExecutable(Path.of(dir, "nvcc"))) {
                return true;
            }
        }
        return false;
    }
}
