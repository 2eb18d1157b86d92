package org.cogview2.checkpoint;

import org.cogview2.checkpoint.TorchCheckpointWriter.Tensor;
import org.cogview2.spi.DType;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.io.InputStream;
import java.lang.foreign.ValueLayout;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.zip.ZipEntry;
import java.util.zip.ZipFile;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class TorchCheckpointWriterTest {

    @TempDir
    Path dir;

    private static float[] ramp(int n, float scale) {
        float[] v = new float[n];
        for (int i = 0; i < n; i++) {
            v[i] = (i - n / 3f) * scale;
        }
        return v;
    }

    private static float roundTo(DType t, float v) {
        return switch (t) {
            case F16 -> Float.float16ToFloat(Float.floatToFloat16(v));
            case BF16 -> Float.intBitsToFloat(TorchCheckpointWriter.toBfloat16(v) << 16);
            default -> v;
        };
    }

    @Test
    void stateDictRoundTripsEveryDtypeAndShape() {
        Map<String, Object> sd = new LinkedHashMap<>();
        sd.put("f32", Tensor.of(DType.F32, new int[]{2, 3, 4}, ramp(24, 0.37f)));
        sd.put("f16", Tensor.of(DType.F16, new int[]{5, 7}, ramp(35, 1.13f)));
        sd.put("bf16", Tensor.of(DType.BF16, new int[]{3, 1, 2}, ramp(6, -3.3f)));
        sd.put("scalar", Tensor.of(DType.F32, new int[]{}, new float[]{42.5f}));
        sd.put("empty", Tensor.of(DType.F16, new int[]{0, 3}, new float[0]));
        sd.put("i64", Tensor.ofLongs(new int[]{3}, new long[]{-1, Long.MAX_VALUE, 7}));
        sd.put("i32", Tensor.ofInts(new int[]{2, 2}, new int[]{1, -2, Integer.MIN_VALUE, 4}));
        Path file = dir.resolve("mp_rank_00_model_states.pt");
        TorchCheckpointWriter.saveStateDict(file, sd);

        try (TorchCheckpoint c = TorchCheckpoint.open(file)) {
            assertEquals("mp_rank_00_model_states", c.prefix());
            assertEquals(3, c.formatVersion());
            assertEquals(ByteOrder.LITTLE_ENDIAN, c.byteOrder());
            Map<String, StoredTensor> got = c.stateDict();
            assertEquals(List.of("f32", "f16", "bf16", "scalar", "empty", "i64", "i32"), List.copyOf(got.keySet()));
            for (String k : List.of("f32", "f16", "bf16")) {
                Tensor want = (Tensor) sd.get(k);
                StoredTensor t = got.get(k);
                assertEquals(want.dtype(), t.dtype(), k);
                assertArrayEquals(want.shape(), t.shape(), k);
                float[] src = ramp((int) t.elementCount(), k.equals("f32") ? 0.37f : k.equals("f16") ? 1.13f : -3.3f);
                float[] exp = new float[src.length];
                for (int i = 0; i < src.length; i++) {
                    exp[i] = roundTo(t.dtype(), src[i]);
                }
                assertArrayEquals(exp, t.toFloats(), k);
                // data of every storage record starts 64-byte aligned in the file, hence in the mapping
                assertEquals(0, t.data().address() % 64, k + " alignment");
                assertTrue(t.data().isReadOnly(), k + " is a read-only view");
            }
            assertArrayEquals(new int[]{}, got.get("scalar").shape());
            assertArrayEquals(new float[]{42.5f}, got.get("scalar").toFloats());
            assertEquals(0, got.get("empty").elementCount());
            assertEquals(0, got.get("empty").data().byteSize());
            assertArrayEquals(new long[]{-1, Long.MAX_VALUE, 7}, got.get("i64").toLongs());
            assertArrayEquals(new long[]{1, -2, Integer.MIN_VALUE, 4}, got.get("i32").toLongs());
            c.verifyChecksums();
        }
    }

    @Test
    void generalTreeRoundTrips() {
        Map<String, Object> root = new LinkedHashMap<>();
        root.put("int", 5);
        root.put("long", 1L << 40);
        root.put("negative", -70000L);
        root.put("float", 2.5);
        root.put("true", true);
        root.put("none", null);
        root.put("text", "héllo ✓");
        root.put("bytes", new byte[]{0, (byte) 0xFF, 65});
        root.put("list", List.of(1, "two", List.of(3.0)));
        root.put("empty", Map.of());
        Map<Object, Object> intKeys = new LinkedHashMap<>();
        intKeys.put(3, "three");
        root.put("ints", intKeys);
        root.put("module", Map.of("w", Tensor.of(DType.F32, new int[]{2}, new float[]{1, 2})));
        Path file = dir.resolve("tree.pt");
        TorchCheckpointWriter.save(file, root);
        try (TorchCheckpoint c = TorchCheckpoint.open(file)) {
            Map<?, ?> r = (Map<?, ?>) c.root();
            assertEquals(List.copyOf(root.keySet()), List.copyOf(r.keySet()));
            assertEquals(5L, r.get("int"));
            assertEquals(1L << 40, r.get("long"));
            assertEquals(-70000L, r.get("negative"));
            assertEquals(2.5, r.get("float"));
            assertEquals(true, r.get("true"));
            assertNull(r.get("none"));
            assertEquals("héllo ✓", r.get("text"));
            assertArrayEquals(new byte[]{0, (byte) 0xFF, 65}, (byte[]) r.get("bytes"));
            assertEquals(List.of(1L, "two", List.of(3.0)), r.get("list"));
            assertEquals(Map.of(), r.get("empty"));
            assertEquals(Map.of(3L, "three"), r.get("ints"));
            assertArrayEquals(new float[]{1, 2}, c.stateDict().get("w").toFloats());
            assertThrows(UnsupportedOperationException.class, () -> ((Map<Object, Object>) r).put("x", 1));
        }
    }

    @Test
    void generatedTensorsStreamInChunks() {
        int rows = 1000;
        int cols = 4099; // not a multiple of the chunk
        long[] calls = {0};
        Tensor t = Tensor.generated(DType.F16, new int[]{rows, cols}, (first, chunk) -> {
            calls[0]++;
            long n = chunk.byteSize() / 2;
            for (long i = 0; i < n; i++) {
                chunk.setAtIndex(ValueLayout.JAVA_SHORT_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN), i,
                        Float.floatToFloat16(((first + i) % 1000) / 8f));
            }
        });
        Path file = dir.resolve("gen.pt");
        TorchCheckpointWriter.saveStateDict(file, Map.of("g", t));
        try (TorchCheckpoint c = TorchCheckpoint.open(file)) {
            StoredTensor g = c.stateDict().get("g");
            assertArrayEquals(new int[]{rows, cols}, g.shape());
            float[] v = g.toFloats();
            for (int i = 0; i < v.length; i += 997) {
                assertEquals((i % 1000) / 8f, v[i], "element " + i);
            }
            assertEquals((v.length - 1) % 1000 / 8f, v[v.length - 1]);
        }
        assertTrue(calls[0] >= 1);
    }

    @Test
    void sameTensorObjectTwiceSharesOneStorage() {
        Tensor shared = Tensor.of(DType.F32, new int[]{3}, new float[]{1, 2, 3});
        Map<String, Object> sd = new LinkedHashMap<>();
        sd.put("a", shared);
        sd.put("b", shared);
        Path file = dir.resolve("shared.pt");
        TorchCheckpointWriter.saveStateDict(file, sd);
        try (TorchCheckpoint c = TorchCheckpoint.open(file)) {
            long storages = c.recordNames().stream().filter(n -> n.contains("/data/")).count();
            assertEquals(1, storages);
            assertEquals(c.stateDict().get("a").data().address(), c.stateDict().get("b").data().address());
            assertEquals("b", c.stateDict().get("b").key());
        }
    }

    @Test
    void reSavingLoadedTensorsCopiesThem() {
        Path a = dir.resolve("a.pt");
        TorchCheckpointWriter.saveStateDict(a, Map.of("x", Tensor.of(DType.BF16, new int[]{2, 2}, new float[]{1, -2, 3.5f, 0})));
        Path b = dir.resolve("b.pt");
        try (TorchCheckpoint c = TorchCheckpoint.open(a)) {
            TorchCheckpointWriter.saveStateDict(b, c.stateDict());
        }
        try (TorchCheckpoint c = TorchCheckpoint.open(b)) {
            StoredTensor x = c.stateDict().get("x");
            assertEquals(DType.BF16, x.dtype());
            assertArrayEquals(new float[]{1, -2, 3.5f, 0}, x.toFloats());
        }
    }

    /** java.util.zip is an independent reader: it must see a valid archive of stored entries with good CRCs. */
    @Test
    void archiveIsAStandardZipOfStoredEntries() throws IOException {
        Path file = dir.resolve("std.pt");
        TorchCheckpointWriter.saveStateDict(file, Map.of("w", Tensor.of(DType.F32, new int[]{4}, new float[]{1, 2, 3, 4})));
        List<String> names = new ArrayList<>();
        try (ZipFile z = new ZipFile(file.toFile())) {
            for (ZipEntry e : Collections.list(z.entries())) {
                names.add(e.getName());
                assertEquals(ZipEntry.STORED, e.getMethod(), e.getName());
                try (InputStream in = z.getInputStream(e)) {
                    in.readAllBytes(); // checks the CRC
                }
            }
        }
        assertEquals(List.of("std/data.pkl", "std/byteorder", "std/data/0", "std/version"), names);
    }

    /** With the ZIP64 threshold forced to 0 every size and offset goes through ZIP64 fields. */
    @Test
    void zip64RecordsAreWrittenAndRead() throws IOException {
        Path file = dir.resolve("z64.pt");
        Map<String, Object> sd = new LinkedHashMap<>();
        sd.put("a", Tensor.of(DType.F32, new int[]{3}, new float[]{1, 2, 3}));
        sd.put("b", Tensor.of(DType.F16, new int[]{2}, new float[]{4, 5}));
        TorchCheckpointWriter.save(file, Map.of("module", sd), "z64", 0);
        try (TorchCheckpoint c = TorchCheckpoint.open(file)) {
            assertArrayEquals(new float[]{1, 2, 3}, c.stateDict().get("a").toFloats());
            assertArrayEquals(new float[]{4, 5}, c.stateDict().get("b").toFloats());
            c.verifyChecksums();
        }
        try (ZipFile z = new ZipFile(file.toFile())) {
            assertEquals(5, z.size());
            try (InputStream in = z.getInputStream(z.getEntry("z64/data/0"))) {
                assertEquals(12, in.readAllBytes().length);
            }
        }
    }

    @Test
    void verifyChecksumsFindsACorruptedTensorRecordThatOpenDoesNotRead() throws IOException {
        Path file = dir.resolve("crc.pt");
        TorchCheckpointWriter.saveStateDict(file, Map.of("w", Tensor.of(DType.F32, new int[]{256}, ramp(256, 1))));
        long offset;
        try (TorchCheckpoint c = TorchCheckpoint.open(file)) {
            offset = Files.size(file) / 2;
        }
        try (FileChannel ch = FileChannel.open(file, StandardOpenOption.READ, StandardOpenOption.WRITE)) {
            java.nio.ByteBuffer one = java.nio.ByteBuffer.allocate(1);
            ch.read(one, offset);
            one.put(0, (byte) (one.get(0) ^ 0x5A)).position(0);
            ch.write(one, offset);
        }
        try (TorchCheckpoint c = TorchCheckpoint.open(file)) {
            ZipFormatException e = assertThrows(ZipFormatException.class, c::verifyChecksums);
            assertEquals("crc/data/0", e.entry());
            assertTrue(e.getMessage().contains("CRC-32 mismatch"), e.getMessage());
        }
    }

    @Test
    void closingInvalidatesTensorsAndIsIdempotent() {
        Path file = dir.resolve("close.pt");
        TorchCheckpointWriter.saveStateDict(file, Map.of("w", Tensor.of(DType.F32, new int[]{2}, new float[]{1, 2})));
        TorchCheckpoint c = TorchCheckpoint.open(file);
        StoredTensor w = c.stateDict().get("w");
        c.close();
        c.close();
        assertTrue(c.isClosed());
        assertThrows(IllegalStateException.class, w::toFloats);
        assertThrows(IllegalStateException.class, c::stateDict);
    }

    @Test
    void rejectsValuesItCannotPickle() {
        Path file = dir.resolve("bad.pt");
        assertThrows(IllegalArgumentException.class, () -> TorchCheckpointWriter.save(file, new Object()));
        assertThrows(IllegalArgumentException.class, () -> Tensor.of(DType.F32, new int[]{2}, new float[3]));
        assertThrows(IllegalArgumentException.class, () -> Tensor.of(DType.I64, new int[]{1}, new float[1]));
        assertTrue(Files.notExists(file));
        try (var s = Files.list(dir)) {
            assertEquals(0, s.count(), "no partial file is left behind");
        } catch (IOException e) {
            throw new AssertionError(e);
        }
    }

    @Test
    void bfloat16RoundsToNearestEven() {
        assertEquals((short) 0x3F80, TorchCheckpointWriter.toBfloat16(1.0f));
        // 1 + 2^-8 is halfway between bf16 neighbours 1 and 1 + 2^-7: ties to even (1.0)
        assertEquals((short) 0x3F80, TorchCheckpointWriter.toBfloat16(1.00390625f));
        // just above the halfway point rounds up
        assertEquals((short) 0x3F81, TorchCheckpointWriter.toBfloat16(Math.nextUp(1.00390625f)));
        assertTrue(Float.isNaN(Float.intBitsToFloat(TorchCheckpointWriter.toBfloat16(Float.NaN) << 16)));
        assertInstanceOf(Short.class, TorchCheckpointWriter.toBfloat16(-0f));
        assertSame(DType.BF16, Tensor.of(DType.BF16, new int[]{1}, new float[]{1}).dtype());
    }
}
