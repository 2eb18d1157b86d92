package org.cogview2.backend.vector;

import org.cogview2.spi.DType;
import org.cogview2.spi.PrimitiveKernels;
import org.cogview2.spi.Shape;
import org.cogview2.spi.Tensor;
import org.cogview2.spi.TensorScope;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import java.io.IOException;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.SplittableRandom;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The GEMM behind linear/matmul/conv2d on both of its paths (row-dot for small M, packed for the rest), every weight
 * dtype and storage, against a double-precision product with an error bound of the fp32 accumulation.
 */
class GemmTest {

    private static final VectorBackend BACKEND = new VectorBackend(2);
    private static final ValueLayout.OfShort LE_SHORT = ValueLayout.JAVA_SHORT_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);

    @AfterAll
    static void close() {
        BACKEND.close();
    }

    static float[] random(SplittableRandom r, int n, double std) {
        float[] v = new float[n];
        for (int i = 0; i < n; i++) {
            v[i] = (float) (r.nextGaussian() * std);
        }
        return v;
    }

    static float round(float v, DType dtype) {
        return Halfs.widen(Halfs.narrow(v, dtype), dtype);
    }

    static Tensor upload(TensorScope s, Arena arena, float[] values, DType dtype, Shape shape) {
        if (dtype == DType.F32) {
            return s.fromFloats(values, shape);
        }
        MemorySegment seg = arena.allocate(2L * values.length, 2);
        for (int i = 0; i < values.length; i++) {
            seg.set(LE_SHORT, 2L * i, Halfs.narrow(values[i], dtype));
        }
        return s.upload(seg, dtype, shape);
    }

    /** Checks y = x w^T + b against double sums: |err| <= 2 K eps sum|x||w| + small. */
    static void checkLinear(float[] x, float[] w, float[] b, float[] y, int m, int n, int k) {
        for (int i = 0; i < m; i++) {
            for (int j = 0; j < n; j++) {
                double s = 0;
                double abs = 0;
                for (int t = 0; t < k; t++) {
                    s += (double) x[i * k + t] * w[j * k + t];
                    abs += Math.abs((double) x[i * k + t] * w[j * k + t]);
                }
                if (b != null) {
                    s += b[j];
                    abs += Math.abs(b[j]);
                }
                double bound = (k + 2) * 0x1p-23 * abs + 1e-30;
                float got = y[i * n + j];
                assertTrue(Math.abs(got - s) <= bound, "y[" + i + "][" + j + "] = " + got + " want " + s + " (bound "
                        + bound + ", M=" + m + " N=" + n + " K=" + k + ")");
            }
        }
    }

    @ParameterizedTest(name = "linear M={0} N={1} K={2} {3}")
    @CsvSource({
            "1, 7, 1, F32", "1, 33, 17, F32", "3, 97, 300, F16", "4, 64, 64, BF16", "5, 33, 257, F16",
            "8, 100, 129, F32", "31, 65, 40, BF16", "32, 40, 33, F32", "33, 97, 300, F32", "33, 50, 31, F16",
            "7, 1, 15, F32", "100, 70, 520, F16", "13, 300, 1, F32", "500, 400, 70, F32", "61, 385, 513, BF16", "800, 45, 200, F16",
            "390, 2100, 200, F16", "601, 70, 385, F32"})
    void linearMatchesADoublePrecisionProduct(int m, int n, int k, DType dtype) {
        SplittableRandom r = new SplittableRandom(m * 31L + n * 7L + k);
        float[] x = random(r, m * k, 1);
        float[] w = random(r, n * k, 1 / Math.sqrt(k));
        float[] b = random(r, n, 0.5);
        for (int i = 0; i < w.length; i++) {
            w[i] = round(w[i], dtype);
        }
        for (int i = 0; i < b.length; i++) {
            b[i] = round(b[i], dtype);
        }
        try (Arena arena = Arena.ofConfined(); TensorScope s = BACKEND.newScope()) {
            Tensor y = BACKEND.kernels().linear(s, s.fromFloats(x, Shape.of(m, k)),
                    upload(s, arena, w, dtype, Shape.of(n, k)), upload(s, arena, b, dtype, Shape.of(n)));
            assertEquals(Shape.of(m, n), y.shape());
            checkLinear(x, w, b, s.readFloats(y), m, n, k);
        }
    }

    @ParameterizedTest(name = "matmul M={0} N={1} K={2} transposeB={3}")
    @CsvSource({"1, 9, 13, false", "6, 32, 32, false", "37, 41, 300, false", "40, 1031, 16, true",
            "2, 3, 8, true", "50, 70, 90, true"})
    void matmulMatchesADoublePrecisionProduct(int m, int n, int k, boolean transposeB) {
        SplittableRandom r = new SplittableRandom(m * 131L + n * 17L + k);
        int batches = 2;
        float[] a = random(r, batches * m * k, 1);
        float[] b = random(r, batches * k * n, 1 / Math.sqrt(k));
        try (TensorScope s = BACKEND.newScope()) {
            Tensor y = PrimitiveKernels.of(BACKEND).matmul(s, s.fromFloats(a, Shape.of(batches, m, k)),
                    s.fromFloats(b, transposeB ? Shape.of(batches, n, k) : Shape.of(batches, k, n)), transposeB);
            float[] got = s.readFloats(y);
            for (int t = 0; t < batches; t++) {
                float[] at = java.util.Arrays.copyOfRange(a, t * m * k, (t + 1) * m * k);
                float[] wt = new float[n * k];
                for (int j = 0; j < n; j++) {
                    for (int i = 0; i < k; i++) {
                        wt[j * k + i] = transposeB ? b[t * n * k + j * k + i] : b[t * k * n + i * n + j];
                    }
                }
                checkLinear(at, wt, null, java.util.Arrays.copyOfRange(got, t * m * n, (t + 1) * m * n), m, n, k);
            }
        }
    }

    /** Checkpoint weights mapped from a file are used in place: same bits as a heap upload, nothing allocated. */
    @ParameterizedTest(name = "mapped {0} weight, M={1}")
    @CsvSource({"F16, 1", "F16, 40", "BF16, 3", "BF16, 64", "F32, 2", "F32, 50"})
    void mappedWeightsAreUsedInPlace(DType dtype, int m, @TempDir Path dir) throws IOException {
        int n = 70;
        int k = 300;
        SplittableRandom r = new SplittableRandom(99);
        float[] x = random(r, m * k, 1);
        float[] w = random(r, n * k, 0.05);
        Path file = dir.resolve("w.bin");
        try (Arena arena = Arena.ofShared()) {
            MemorySegment heap = arena.allocate((long) n * k * dtype.byteSize(), 4);
            for (int i = 0; i < w.length; i++) {
                if (dtype == DType.F32) {
                    heap.set(ValueLayout.JAVA_FLOAT_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN), 4L * i, w[i]);
                } else {
                    heap.set(LE_SHORT, 2L * i, Halfs.narrow(w[i], dtype));
                }
            }
            java.nio.file.Files.write(file, heap.toArray(ValueLayout.JAVA_BYTE));
            try (FileChannel ch = FileChannel.open(file, StandardOpenOption.READ);
                 TensorScope s = BACKEND.newScope()) {
                MemorySegment mapped = ch.map(FileChannel.MapMode.READ_ONLY, 0, heap.byteSize(), arena);
                long before = BACKEND.memoryStats().liveBytes();
                Tensor wm = s.upload(mapped, dtype, Shape.of(n, k));
                assertEquals(before, BACKEND.memoryStats().liveBytes(), "a mapped upload allocates nothing");
                Tensor wh = s.upload(heap, dtype, Shape.of(n, k));
                Tensor xt = s.fromFloats(x, Shape.of(m, k));
                float[] fromMapped = s.readFloats(BACKEND.kernels().linear(s, xt, wm, null));
                float[] fromHeap = s.readFloats(BACKEND.kernels().linear(s, xt, wh, null));
                assertArrayEquals(fromHeap, fromMapped);
            }
        }
    }

    /** A weight mapped in a confined arena is read on the owner thread only: the kernel still works. */
    @Test
    void confinedMappedWeightsWork(@TempDir Path dir) throws IOException {
        int n = 512;
        int k = 256;
        int m = 64;
        Path file = dir.resolve("w16.bin");
        SplittableRandom r = new SplittableRandom(5);
        float[] w = random(r, n * k, 0.05);
        byte[] bytes = new byte[2 * n * k];
        for (int i = 0; i < w.length; i++) {
            short h = Halfs.narrow(w[i], DType.F16);
            bytes[2 * i] = (byte) h;
            bytes[2 * i + 1] = (byte) (h >> 8);
            w[i] = Halfs.widen(h, DType.F16);
        }
        java.nio.file.Files.write(file, bytes);
        float[] x = random(r, m * k, 1);
        try (Arena arena = Arena.ofConfined(); FileChannel ch = FileChannel.open(file, StandardOpenOption.READ);
             TensorScope s = BACKEND.newScope()) {
            MemorySegment mapped = ch.map(FileChannel.MapMode.READ_ONLY, 0, bytes.length, arena);
            Tensor y = BACKEND.kernels().linear(s, s.fromFloats(x, Shape.of(m, k)), s.upload(mapped, DType.F16,
                    Shape.of(n, k)), null);
            checkLinear(x, w, null, s.readFloats(y), m, n, k);
        }
    }

    @Test
    void zeroInnerDimensionGivesTheBias() {
        try (TensorScope s = BACKEND.newScope()) {
            PrimitiveKernels k = PrimitiveKernels.of(BACKEND);
            Tensor y = k.linear(s, s.zeros(DType.F32, Shape.of(3, 0)), s.zeros(DType.F32, Shape.of(2, 0)),
                    s.fromFloats(new float[]{1.5f, -2f}, Shape.of(2)));
            assertArrayEquals(new float[]{1.5f, -2f, 1.5f, -2f, 1.5f, -2f}, s.readFloats(y));
        }
    }
}
