package org.cogview2.backend.reference;

import org.cogview2.spi.Backend;
import org.cogview2.spi.DType;
import org.cogview2.spi.MemoryStats;
import org.cogview2.spi.Tensor;
import org.cogview2.spi.TensorScope;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class TensorsAndScopesTest extends KernelTestBase {

    private static final ValueLayout.OfFloat LE_FLOAT = ValueLayout.JAVA_FLOAT_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);
    private static final ValueLayout.OfShort LE_SHORT = ValueLayout.JAVA_SHORT_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);

    @Test
    void transfersRoundTrip() {
        float[] values = {1, -2.5f, Float.NaN};
        float[] source = values.clone();
        Tensor x = scope.fromFloats(source, s(3));
        source[0] = 99; // the tensor took a copy
        Expect.bitwise(values, read(x), "floats");
        assertArrayEquals(new int[]{4, -5}, scope.readInts(scope.fromInts(new int[]{4, -5}, s(2))));
        for (DType dtype : DType.values()) {
            Tensor z = scope.zeros(dtype, s(2, 2));
            assertEquals(dtype, z.dtype());
            if (dtype.isFloating()) {
                Expect.exact(new float[4], read(z));
            } else {
                assertArrayEquals(new int[4], scope.readInts(z));
            }
        }
        assertThrows(IllegalArgumentException.class, () -> scope.fromFloats(new float[3], s(2, 2)));
        assertThrows(IllegalArgumentException.class, () -> scope.readInts(x));
        assertThrows(IllegalArgumentException.class, () -> scope.readFloats(scope.fromInts(new int[1], s(1))));
    }

    @Test
    void uploadWidensHalfFormatsExactly() {
        MemorySegment seg = MemorySegment.ofArray(new byte[4]);
        seg.set(LE_SHORT, 0, (short) 0x3C01); // binary16 1 + 2^-10
        seg.set(LE_SHORT, 2, (short) 0xC000); // -2
        Expect.exact(f(1 + 0x1p-10f, -2), read(scope.upload(seg, DType.F16, s(2))));
        Expect.exact(f(Float.intBitsToFloat(0x3C010000), Float.intBitsToFloat(0xC0000000)),
                read(scope.upload(seg, DType.BF16, s(2))));
        MemorySegment longs = MemorySegment.ofArray(new byte[16]);
        longs.set(ValueLayout.JAVA_LONG_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN), 8, 20003L);
        assertArrayEquals(new int[]{0, 20003}, scope.readInts(scope.upload(longs, DType.I64, s(2))));
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> scope.upload(seg, DType.F32, s(2)));
        assertTrue(e.getMessage().contains("upload"), e.getMessage());
    }

    /** A mapped upload is used in place: nothing is allocated and a change to the file shows through. */
    @Test
    void mappedUploadIsZeroCopy(@TempDir Path dir) throws IOException {
        Path file = dir.resolve("weights.bin");
        Files.write(file, new byte[8]);
        try (Arena arena = Arena.ofShared();
             FileChannel channel = FileChannel.open(file, StandardOpenOption.READ, StandardOpenOption.WRITE)) {
            MemorySegment mapped = channel.map(FileChannel.MapMode.READ_WRITE, 0, 8, arena);
            mapped.set(LE_FLOAT, 0, 1.5f);
            mapped.set(LE_FLOAT, 4, -3f);
            MemoryStats before = backend.memoryStats();
            Tensor w = scope.upload(mapped, DType.F32, s(1, 2));
            assertEquals(before, backend.memoryStats(), "a mapped upload allocates nothing");
            Expect.exact(f(1.5f, -3f), read(w));
            mapped.set(LE_FLOAT, 0, 7f);
            Expect.exact(f(7f, -3f), read(w));
            // the kernels read it in place too
            Expect.exact(f(7f * 2 - 3f), read(k.linear(scope, t(s(1, 2), 2, 1), w, null)));
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                    () -> k.copyInto(w, 0, 0, t(s(1, 2), 0, 0)));
            assertTrue(e.getMessage().contains("mapped"), e.getMessage());
        }
    }

    /**
     * A checkpoint mapped in a confined arena can only be read by its owner thread: the kernels read mapped weights
     * on the calling thread (widening them) before any work is split between worker threads.
     */
    @Test
    void mappedWeightsOfAConfinedArenaWorkWithWorkerThreads(@TempDir Path dir) throws IOException {
        int n = 64;
        int kDim = 32;
        Path file = dir.resolve("w16.bin");
        Files.write(file, new byte[n * kDim * 2]);
        try (ReferenceBackend threaded = new ReferenceBackend(4);
             TensorScope s4 = threaded.newScope();
             Arena arena = Arena.ofConfined();
             FileChannel channel = FileChannel.open(file, StandardOpenOption.READ, StandardOpenOption.WRITE)) {
            MemorySegment mapped = channel.map(FileChannel.MapMode.READ_WRITE, 0, (long) n * kDim * 2, arena);
            float[] wv = random(7, n * kDim);
            float[] widened = new float[wv.length];
            for (int i = 0; i < wv.length; i++) {
                short h = Float.floatToFloat16(wv[i]);
                mapped.set(LE_SHORT, 2L * i, h);
                widened[i] = Float.float16ToFloat(h);
            }
            float[] xv = random(8, 512 * kDim);
            Tensor y = threaded.kernels().linear(s4, s4.fromFloats(xv, s(512, kDim)), s4.upload(mapped, DType.F16, s(n, kDim)), null);
            Tensor want = threaded.kernels().linear(s4, s4.fromFloats(xv, s(512, kDim)), s4.fromFloats(widened, s(n, kDim)), null);
            Expect.bitwise(s4.readFloats(want), s4.readFloats(y), "mapped F16 weights");
            Tensor rows = threaded.kernels().embedding(s4, s4.upload(mapped, DType.F16, s(n, kDim)), s4.fromInts(new int[]{3}, s(1)));
            Expect.exact(java.util.Arrays.copyOfRange(widened, 3 * kDim, 4 * kDim), s4.readFloats(rows));
        }
    }

    @Test
    void viewsShareMemoryAndDieWithTheirBase() {
        Tensor base = scope.zeros(DType.F32, s(3, 2));
        Tensor rows = scope.narrow(base, 1, 2);
        Tensor flat = scope.reshape(rows, s(4));
        k.copyInto(base, 0, 1, t(s(1, 2), 5, 6));
        Expect.exact(f(5, 6, 0, 0), read(flat));
        k.copyInto(flat, 0, 2, t(s(2), 7, 8)); // writing through the view writes the base
        Expect.exact(f(0, 0, 5, 6, 7, 8), read(base));
        long allocations = backend.memoryStats().allocations();
        scope.narrow(base, 0, 1);
        assertEquals(allocations, backend.memoryStats().allocations(), "a view is not an allocation");

        base.close();
        assertTrue(rows.isClosed());
        assertTrue(flat.isClosed());
        IllegalStateException e = assertThrows(IllegalStateException.class, () -> read(flat));
        assertTrue(e.getMessage().contains("released"), e.getMessage());
        IllegalStateException k1 = assertThrows(IllegalStateException.class, () -> k.scale(scope, rows, 2f));
        assertTrue(k1.getMessage().startsWith("scale: x"), k1.getMessage());
        assertThrows(IllegalArgumentException.class, () -> scope.reshape(t(s(2), 1, 2), s(3)));
        assertThrows(IllegalArgumentException.class, () -> scope.narrow(t(s(2), 1, 2), 1, 2));
    }

    @Test
    void closingAScopeFreesEverythingItCreated() {
        MemoryStats start = backend.memoryStats();
        TensorScope inner = backend.newScope();
        Tensor a = inner.fromFloats(new float[100], s(100));
        Tensor b = k.scale(inner, a, 2f);
        inner.reshape(b, s(10, 10));
        Tensor early = inner.zeros(DType.F16, s(10));
        MemoryStats during = backend.memoryStats();
        assertEquals(start.liveBytes() + 400 + 400 + 20, during.liveBytes());
        assertEquals(start.liveTensors() + 3, during.liveTensors());
        assertEquals(start.allocations() + 3, during.allocations());

        early.close();
        early.close(); // idempotent
        assertEquals(during.liveBytes() - 20, backend.memoryStats().liveBytes());

        inner.close();
        MemoryStats after = backend.memoryStats();
        assertEquals(start.liveBytes(), after.liveBytes());
        assertEquals(start.liveTensors(), after.liveTensors());
        assertEquals(during.peakBytes(), after.peakBytes());
        assertTrue(a.isClosed() && b.isClosed());
        inner.close(); // idempotent
        IllegalStateException e = assertThrows(IllegalStateException.class, () -> inner.fromFloats(new float[1], s(1)));
        assertTrue(e.getMessage().contains("closed"), e.getMessage());
        assertThrows(IllegalStateException.class, () -> k.scale(inner, scope.fromFloats(new float[1], s(1)), 2f));
    }

    @Test
    void closingTheBackendClosesItsScopes() {
        Backend other = new ReferenceBackend(1);
        TensorScope s1 = other.newScope();
        Tensor x = s1.fromFloats(new float[]{1}, s(1));
        other.close();
        assertTrue(x.isClosed());
        assertEquals(0, other.memoryStats().liveBytes());
        assertThrows(IllegalStateException.class, other::newScope);
        assertFalse(other.capabilities().isEmpty());
    }

    @Test
    void tensorsOfAnotherBackendAreRejected() {
        try (ReferenceBackend other = new ReferenceBackend(1); TensorScope s2 = other.newScope()) {
            Tensor foreign = s2.fromFloats(new float[]{1, 2}, s(2));
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                    () -> k.add(scope, t(s(2), 1, 2), foreign));
            assertTrue(e.getMessage().startsWith("add: b belongs to another backend"), e.getMessage());
            assertThrows(IllegalArgumentException.class, () -> k.scale(s2, t(s(2), 1, 2), 1f));
            assertThrows(IllegalArgumentException.class, () -> scope.readFloats(foreign));
        }
    }
}
