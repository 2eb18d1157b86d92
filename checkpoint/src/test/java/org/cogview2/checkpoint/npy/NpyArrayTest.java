package org.cogview2.checkpoint.npy;

import org.cogview2.api.ModelFormatException;
import org.cogview2.checkpoint.testing.SharedTestData;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class NpyArrayTest {

    @TempDir
    Path dir;

    @Test
    void readsGoldenFloatAndIntegerArrays() {
        NpyArray hidden = NpyArray.read(SharedTestData.golden("coglm_forward").resolve("final_hidden.npy"));
        assertEquals("<f4", hidden.descr());
        assertArrayEquals(new int[]{417, 64}, hidden.shape());
        assertEquals(417 * 64, hidden.size());
        assertTrue(hidden.isFloating());
        assertThrows(IllegalStateException.class, hidden::toLongs);
        NpyArray ids = NpyArray.read(SharedTestData.golden("coglm_forward").resolve("input_ids.npy"));
        assertEquals("<i8", ids.descr());
        assertArrayEquals(new int[]{417}, ids.shape());
        long[] v = ids.toLongs();
        // the stage-1 sequence ends with <start_of_image> (23000 here) followed by 400 image tokens below 20000
        assertEquals(23000, v[16]);
        for (int i = 17; i < v.length; i++) {
            assertTrue(v[i] >= 0 && v[i] < 20000, "image token " + v[i]);
        }
        assertEquals(v[16], ids.toInts()[16]);
    }

    @Test
    void everyGoldenNpyFileParses() throws IOException {
        int n = 0;
        try (var files = Files.walk(SharedTestData.golden())) {
            for (Path p : files.filter(f -> f.toString().endsWith(".npy")).toList()) {
                NpyArray a = NpyArray.read(p);
                long count = 1;
                for (int d : a.shape()) {
                    count *= d;
                }
                assertEquals(count, a.size(), p.toString());
                n++;
            }
        }
        assertTrue(n > 50, n + " files");
    }

    @Test
    void writeReadRoundTrip() throws IOException {
        Path f = dir.resolve("f.npy");
        float[] values = {1.5f, -0f, Float.MAX_VALUE, Float.MIN_VALUE, 7, 8};
        NpyArray.writeFloats(f, new int[]{2, 3}, values);
        NpyArray a = NpyArray.read(f);
        assertArrayEquals(new int[]{2, 3}, a.shape());
        assertArrayEquals(values, a.toFloats());
        assertEquals(0, (Files.size(f) - 6 * 4) % 64, "header padded to 64 bytes like NumPy");

        Path l = dir.resolve("l.npy");
        NpyArray.writeLongs(l, new int[]{3}, new long[]{Long.MIN_VALUE, 0, 42});
        assertArrayEquals(new long[]{Long.MIN_VALUE, 0, 42}, NpyArray.read(l).toLongs());
        assertThrows(ArithmeticException.class, () -> NpyArray.read(l).toInts());

        Path s = dir.resolve("s.npy");
        NpyArray.writeFloats(s, new int[]{}, new float[]{3});
        assertArrayEquals(new int[]{}, NpyArray.read(s).shape());
        assertArrayEquals(new float[]{3}, NpyArray.read(s).toFloats());

        Path e = dir.resolve("e.npy");
        NpyArray.writeFloats(e, new int[]{0, 5}, new float[0]);
        assertEquals(0, NpyArray.read(e).size());
    }

    private static byte[] npy(int major, String header, byte[] data) {
        int prefix = major == 1 ? 10 : 12;
        ByteBuffer b = ByteBuffer.allocate(prefix + header.length() + data.length).order(ByteOrder.LITTLE_ENDIAN);
        b.put(new byte[]{(byte) 0x93, 'N', 'U', 'M', 'P', 'Y', (byte) major, 0});
        if (major == 1) {
            b.putShort((short) header.length());
        } else {
            b.putInt(header.length());
        }
        return b.put(header.getBytes(StandardCharsets.ISO_8859_1)).put(data).array();
    }

    @Test
    void otherDtypesAndVersionsParse() {
        byte[] data = ByteBuffer.allocate(16).order(ByteOrder.LITTLE_ENDIAN).putDouble(2.25).putDouble(-1).array();
        NpyArray d = NpyArray.parse(Path.of("d.npy"), npy(2, "{'descr': '<f8', 'fortran_order': False, 'shape': (2,), }\n", data));
        assertArrayEquals(new float[]{2.25f, -1f}, d.toFloats());
        NpyArray u = NpyArray.parse(Path.of("u.npy"), npy(3, "{'descr': '|u1', 'fortran_order': False, 'shape': (3,), }\n",
                new byte[]{(byte) 255, 0, 7}));
        assertArrayEquals(new long[]{255, 0, 7}, u.toLongs());
        assertFalse(u.isFloating());
        NpyArray i = NpyArray.parse(Path.of("i.npy"), npy(1, "{'descr': '|i1', 'fortran_order': False, 'shape': (1,), }\n",
                new byte[]{(byte) 255}));
        assertArrayEquals(new long[]{-1}, i.toLongs());
    }

    @Test
    void malformedHeadersAreRejectedNamingTheFile() {
        Path p = Path.of("bad.npy");
        String ok = "{'descr': '<f4', 'fortran_order': False, 'shape': (2,), }\n";
        String[][] cases = {
                {"{'fortran_order': False, 'shape': (2,), }\n", "header has no 'descr'"},
                {"{'descr': '<f4', 'shape': (2,), }\n", "header has no 'fortran_order'"},
                {"{'descr': '<f4', 'fortran_order': False, }\n", "header has no 'shape'"},
                {"{'descr': '<f4', 'fortran_order': False, 'shape': (2, x), }\n", "bad dimension 'x'"},
                {"{'descr': '>f4', 'fortran_order': False, 'shape': (2,), }\n", "unsupported dtype '>f4'"},
                {"{'descr': '<f4', 'fortran_order': False, 'shape': (3,), }\n", "needs 12"},
                {"{'descr': '<f4', 'fortran_order': False, 'shape': (99999999999,), }\n", "bad dimension '99999999999'"},
        };
        for (String[] c : cases) {
            ModelFormatException e = assertThrows(ModelFormatException.class,
                    () -> NpyArray.parse(p, npy(1, c[0], new byte[8])), c[1]);
            assertTrue(e.getMessage().contains(c[1]), e.getMessage());
            assertEquals(p, e.file());
        }
        assertEquals(2, NpyArray.parse(p, npy(1, ok, new byte[8])).size());
        assertThrows(ModelFormatException.class, () -> NpyArray.parse(p, new byte[3]));
        assertThrows(ModelFormatException.class, () -> NpyArray.read(dir.resolve("missing.npy")));
    }
}
