package org.cogview2.backend.cuda;

import org.cogview2.backend.reference.ReferenceBackend;
import org.cogview2.conformance.Comparison;
import org.cogview2.conformance.ComparisonResult;
import org.cogview2.conformance.Tolerance;
import org.cogview2.conformance.Tolerances;
import org.cogview2.spi.Backend;
import org.cogview2.spi.PrimitiveKernels;
import org.cogview2.spi.DType;
import org.cogview2.spi.GridContext;
import org.cogview2.spi.LocalWindow;
import org.cogview2.spi.MemoryStats;
import org.cogview2.spi.Shape;
import org.cogview2.spi.Tensor;
import org.cogview2.spi.TensorScope;
import org.cogview2.spi.Conv2dSpec;
import org.cogview2.spi.sampling.ClusterSampling;
import org.cogview2.spi.sampling.RowDraws;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

import java.io.IOException;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.Arrays;
import java.util.SplittableRandom;
import java.util.function.BiFunction;


import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The code paths of the cuda backend that the conformance kit's small shapes do not reach, each compared with the
 * reference backend: the small-M (decode) and large-tile GEMMs, vectorised and scalar loads, scores of long key
 * sequences in global memory, large k in topK, merged permutations, overlapping copyInto, uploads from a mapped file,
 * memory accounting and run-to-run reproducibility. Run on the CPU emulation ({@link EmulatedKernelPathTest}) and on
 * a GPU ({@link GpuKernelPathTest}).
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
abstract class KernelPathChecks {

    private CudaBackend subject;
    private ReferenceBackend reference;
    private final SplittableRandom random = new SplittableRandom(20260615);

    abstract CudaBackend createBackend();

    @BeforeAll
    void start() {
        subject = createBackend();
        reference = new ReferenceBackend(2);
    }

    @AfterAll
    void stop() {
        subject.close();
        reference.close();
    }

    // ------------------------------------------------------------------ helpers

    /** A host tensor: values (rounded to dtype) and shape. */
    private record Host(DType dtype, int[] shape, float[] values) {
        Tensor on(TensorScope scope, Arena arena) {
            if (dtype == DType.F32) {
                return scope.fromFloats(values, Shape.of(shape));
            }
            if (dtype == DType.I32) {
                int[] ints = new int[values.length];
                for (int i = 0; i < ints.length; i++) {
                    ints[i] = (int) values[i];
                }
                return scope.fromInts(ints, Shape.of(shape));
            }
            MemorySegment seg = arena.allocate(2L * values.length, 2);
            ValueLayout.OfShort le = ValueLayout.JAVA_SHORT_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);
            for (int i = 0; i < values.length; i++) {
                seg.setAtIndex(le, i, bits(values[i], dtype));
            }
            return scope.upload(seg, dtype, Shape.of(shape));
        }
    }

    private static short bits(float v, DType dtype) {
        if (dtype == DType.F16) {
            return Float.floatToFloat16(v);
        }
        int b = Float.floatToRawIntBits(v);
        return (short) ((b + 0x7FFF + ((b >>> 16) & 1)) >>> 16);
    }

    private Host normal(DType dtype, double std, int... shape) {
        float[] v = new float[Math.toIntExact(Shape.of(shape).elementCount())];
        for (int i = 0; i < v.length; i++) {
            v[i] = (float) (random.nextGaussian() * std);
            if (dtype != DType.F32) {
                short s = bits(v[i], dtype);
                v[i] = dtype == DType.F16 ? Float.float16ToFloat(s) : Float.intBitsToFloat((s & 0xFFFF) << 16);
            }
        }
        return new Host(dtype, shape, v);
    }

    private Host normal(int... shape) {
        return normal(DType.F32, 1, shape);
    }

    /** Runs {@code op} on both backends with the same inputs; returns {want, got} as floats. */
    private float[][] both(BiFunction<TensorScope, Tensor[], Tensor> op, Host... inputs) {
        return new float[][]{run(reference, op, inputs), run(subject, op, inputs)};
    }

    private static float[] run(Backend backend, BiFunction<TensorScope, Tensor[], Tensor> op, Host... inputs) {
        try (Arena arena = Arena.ofConfined(); TensorScope scope = backend.newScope()) {
            Tensor[] ts = new Tensor[inputs.length];
            for (int i = 0; i < inputs.length; i++) {
                ts[i] = inputs[i] == null ? null : inputs[i].on(scope, arena);
            }
            Tensor out = op.apply(scope, ts);
            return out.dtype().isFloating() ? scope.readFloats(out) : ints(scope, out);
        }
    }

    private static float[] ints(TensorScope scope, Tensor out) {
        int[] v = scope.readInts(out);
        float[] f = new float[v.length];
        for (int i = 0; i < v.length; i++) {
            f[i] = v[i];
        }
        return f;
    }

    private static void check(String label, float[][] wantGot, Tolerance tolerance) {
        ComparisonResult r = Comparison.floats(label, new int[]{wantGot[0].length}, wantGot[0], wantGot[1], tolerance);
        assertTrue(r.passed(), r.describe());
    }

    // ------------------------------------------------------------------ GEMM paths

    @Test
    void linearOnEveryPathAndWeightType() {
        for (DType dtype : new DType[]{DType.F32, DType.F16, DType.BF16}) {
            for (int rows : new int[]{1, 5, 8, 9, 300}) {
                for (int k : new int[]{64, 67}) {
                    int n = rows == 300 ? 300 : 37;
                    Host x = normal(rows, k);
                    Host w = normal(dtype, 1 / Math.sqrt(k), n, k);
                    Host bias = normal(dtype, 1, n);
                    check("linear " + dtype + " rows " + rows + " K " + k,
                            both((s, t) -> s.backend().kernels().linear(s, t[0], t[1], t[2]), x, w, bias),
                            Tolerances.REDUCTION);
                    check("linear " + dtype + " rows " + rows + " K " + k + " no bias",
                            both((s, t) -> s.backend().kernels().linear(s, t[0], t[1], null), x, w),
                            Tolerances.REDUCTION);
                }
            }
        }
    }

    @Test
    void linearOnAMisalignedViewUsesScalarLoads() {
        // x starts one element into its block: its address is not 16-byte aligned, so the decode kernel reads scalars.
        for (DType dtype : new DType[]{DType.F32, DType.F16, DType.BF16}) {
            Host big = normal(1, 4 * 64 + 1);
            Host w = normal(dtype, 0.125, 24, 64);
            check("linear " + dtype + " on a view starting at element 1", both((s, t) -> {
                Tensor flat = s.reshape(t[0], Shape.of(4 * 64 + 1, 1));
                Tensor tail = s.reshape(s.narrow(flat, 1, 4 * 64), Shape.of(4, 64));
                return s.backend().kernels().linear(s, tail, t[1], null);
            }, big, w), Tolerances.REDUCTION);
        }
    }

    @Test
    void largeTileMatmulAndConvolution() {
        Host a = normal(2, 260, 70);
        Host b = normal(DType.F32, 0.12, 2, 70, 270);
        check("matmul large tiles", both((s, t) -> PrimitiveKernels.of(s.backend()).matmul(s, t[0], t[1], false), a, b),
                Tolerances.REDUCTION);
        Host bt = normal(DType.F32, 0.12, 2, 270, 70);
        check("matmul transposeB large tiles", both((s, t) -> PrimitiveKernels.of(s.backend()).matmul(s, t[0], t[1], true), a, bt),
                Tolerances.REDUCTION);
        Host x = normal(1, 16, 40, 40);
        Host w = normal(DType.F16, 0.08, 160, 16, 3, 3);
        Host bias = normal(160);
        check("conv2d large tiles", both((s, t) -> s.backend().kernels().conv2d(s, t[0], t[1], t[2], Conv2dSpec.same(1)),
                x, w, bias), Tolerances.REDUCTION);
    }

    // ------------------------------------------------------------------ attention paths

    @Test
    void attentionWithLongKeySequences() {
        int keys = 13000;
        Host q = normal(1, 2, 16);
        Host k = normal(1, keys, 16);
        Host v = normal(1, keys, 16);
        check("attention over " + keys + " keys", both((s, t) -> s.backend().kernels().attention(s, t[0], t[1], t[2], 2,
                keys, null, null), q, k, v), Tolerances.REDUCTION);
    }

    @Test
    void gridAttentionWithoutVectorLoads() {
        int side = 12;
        int heads = 2;
        int d = 6;
        Host q = normal(1, side * side, heads * d);
        Host k = normal(1, side * side, heads * d);
        Host v = normal(1, side * side, heads * d);
        Host k0 = normal(1, 16, heads * d);
        Host v0 = normal(1, 16, heads * d);
        float[] m = new float[16];
        Arrays.fill(m, 3, 16, 1f);
        Host mask = new Host(DType.F32, new int[]{16}, m);
        check("gridAttention d 6 with text keys", both((s, t) -> s.backend().kernels().gridAttention(s, t[0], t[1], t[2],
                heads, side, LocalWindow.of(9, 5), new GridContext.GlobalKeys(t[3], t[4], t[5])), q, k, v, k0, v0, mask),
                Tolerances.REDUCTION);
    }

    // ------------------------------------------------------------------ selection and layout

    @Test
    void topKWithLargeKNaNAndSignedZeros() {
        int v = 5000;
        Host x = normal(3, v);
        x.values()[7] = Float.NaN;
        x.values()[9] = -0f;
        x.values()[10] = 0f;
        x.values()[v + 3] = Float.POSITIVE_INFINITY;
        for (int i = 0; i < 200; i++) {
            x.values()[2 * v + i * 5] = 1.5f;
        }
        check("topK values k=400", both((s, t) -> PrimitiveKernels.of(s.backend()).topK(s, t[0], 400).values(), x), Tolerance.EXACT);
        check("topK indices k=400", both((s, t) -> PrimitiveKernels.of(s.backend()).topK(s, t[0], 400).indices(), x), Tolerance.EXACT);
        check("topK indices k=v", both((s, t) -> PrimitiveKernels.of(s.backend()).topK(s, t[0], v).indices(), x), Tolerance.EXACT);
    }

    @Test
    void permutationsWithUnitAxesAndHalfElements() {
        Host x = normal(DType.F16, 1, 2, 1, 3, 1, 4, 5);
        int[][] perms = {{0, 1, 2, 3, 4, 5}, {5, 4, 3, 2, 1, 0}, {0, 2, 1, 4, 3, 5}, {2, 3, 0, 1, 5, 4}, {4, 5, 0, 1, 2, 3}};
        for (int[] p : perms) {
            check("permute " + Arrays.toString(p), both((s, t) -> s.backend().kernels().permute(s, t[0], p), x),
                    Tolerance.EXACT);
        }
        Host scalar = new Host(DType.F32, new int[0], new float[]{4.5f});
        check("permute of a scalar", both((s, t) -> s.backend().kernels().permute(s, t[0]), scalar), Tolerance.EXACT);
    }

    @Test
    void copyIntoFromAViewOfItself() {
        Host x = normal(6, 5);
        check("copyInto overlapping rows", both((s, t) -> {
            Tensor dst = s.backend().kernels().slice(s, t[0], 0, 0, 6);
            s.backend().kernels().copyInto(dst, 0, 1, s.narrow(dst, 0, 4));
            return dst;
        }, x), Tolerance.EXACT);
    }

    @Test
    void castsBetweenIntegerAndHalfTypes() {
        float[] v = {0f, -0f, 1.5f, -2.5f, 65504f, 70000f, 3e9f, -3e9f, Float.NaN, 1e-7f, -1e-40f, 123456.7f};
        Host x = new Host(DType.F32, new int[]{v.length}, v);
        for (DType to : new DType[]{DType.F16, DType.BF16, DType.I32, DType.I64}) {
            if (to != DType.I64) {
                check("cast F32 -> " + to, both((s, t) -> PrimitiveKernels.of(s.backend()).cast(s, t[0], to), x), Tolerance.EXACT);
            }
            check("cast F32 -> " + to + " -> F32", both((s, t) -> PrimitiveKernels.of(s.backend()).cast(s,
                    PrimitiveKernels.of(s.backend()).cast(s, t[0], to), DType.F32), x), Tolerance.EXACT);
        }
        check("cast F32 -> I64 -> I32", both((s, t) -> PrimitiveKernels.of(s.backend()).cast(s,
                PrimitiveKernels.of(s.backend()).cast(s, t[0], DType.I64), DType.I32), x), Tolerance.EXACT);
    }

    // ------------------------------------------------------------------ memory

    @Test
    void uploadsFromAMappedFileAndAHeapSegment() throws IOException {
        Path file = Files.createTempFile("cuda-upload", ".bin");
        try {
            float[] v = normal(1000).values();
            MemorySegment heap = MemorySegment.ofArray(new byte[4000]);
            for (int i = 0; i < v.length; i++) {
                heap.set(ValueLayout.JAVA_FLOAT_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN), 4L * i, v[i]);
            }
            Files.write(file, heap.toArray(ValueLayout.JAVA_BYTE));
            try (Arena arena = Arena.ofConfined();
                 FileChannel ch = FileChannel.open(file, StandardOpenOption.READ);
                 TensorScope scope = subject.newScope()) {
                MemorySegment mapped = ch.map(FileChannel.MapMode.READ_ONLY, 0, 4000, arena);
                assertArrayEquals(v, scope.readFloats(scope.upload(mapped, DType.F32, Shape.of(10, 100))));
                assertArrayEquals(v, scope.readFloats(scope.upload(heap, DType.F32, Shape.of(1000))));
            }
        } finally {
            Files.deleteIfExists(file);
        }
    }

    @Test
    void memoryIsAccountedAndReleased() {
        MemoryStats before = subject.memoryStats();
        try (TensorScope scope = subject.newScope()) {
            Tensor x = scope.fromFloats(new float[1000], Shape.of(10, 100));
            subject.kernels().gelu(scope, x);
            scope.reshape(x, Shape.of(1000));
            MemoryStats during = subject.memoryStats();
            assertEquals(before.liveBytes() + 8000, during.liveBytes());
            assertEquals(before.liveTensors() + 2, during.liveTensors());
        }
        assertEquals(before.liveBytes(), subject.memoryStats().liveBytes());
        DeviceMemory m = subject.deviceMemory();
        assertTrue(m.totalBytes() > 0 && m.reservedBytes() >= m.cachedBytes(), m.toString());
        subject.releaseCachedMemory();
        assertEquals(0, subject.deviceMemory().cachedBytes());
    }

    @Test
    void resultsAreReproducible() {
        Host x = normal(20, 96);
        Host w = normal(DType.BF16, 0.1, 96, 96);
        float[] first = run(subject, (s, t) -> PrimitiveKernels.of(s.backend()).softmax(s, s.backend().kernels().linear(s, t[0], t[1],
                null), null, null), x, w);
        float[] second = run(subject, (s, t) -> PrimitiveKernels.of(s.backend()).softmax(s, s.backend().kernels().linear(s, t[0],
                t[1], null), null, null), x, w);
        assertArrayEquals(first, second);
    }

    // ------------------------------------------------------------------ sampling paths

    private Host labels(int tokens, int clusters) {
        float[] v = new float[tokens];
        for (int i = 0; i < tokens; i++) {
            v[i] = random.nextInt(clusters);
        }
        return new Host(DType.I32, new int[]{tokens}, v);
    }

    private RowDraws draws(int rows) {
        long[] samples = new long[rows];
        int[] steps = new int[rows];
        for (int r = 0; r < rows; r++) {
            samples[r] = random.nextLong(1L << 40);  // both counter words of the sample in use
            steps[r] = r;
        }
        return new RowDraws(random.nextLong(), false, samples, steps);
    }

    @Test
    void clusterSamplingAtTheOfficialSizeInChunksOfRows() {
        // 900 rows of the official vocabulary and table size need more scratch than one chunk holds.
        int rows = 900;
        long stride = 20000 + 500 + 2 * 100 + 20000;
        assertTrue(rows * stride > SamplingOps.CLUSTER_SCRATCH_FLOATS, "the case must take more than one chunk");
        Host logits = normal(DType.F32, 3, rows, 20000);
        Host labels = labels(20000, 500);
        RowDraws draws = draws(rows);
        ClusterSampling dsr = new ClusterSampling(1f, 100, 0.89f);
        check("sampleClusters [900, 20000], 500 clusters", both((s, t) -> s.backend().kernels().sampleClusters(s, t[0],
                t[1], 500, dsr, draws), logits, labels), Tolerance.EXACT);
    }

    @Test
    void topKSamplingOfLongRows() {
        Host logits = normal(DType.F32, 3, 64, 20000);
        RowDraws draws = draws(64);
        check("sampleTopK [64, 20000] k 200", both((s, t) -> s.backend().kernels().sampleTopK(s, t[0], 200, draws),
                logits), Tolerance.EXACT);
    }

    @Test
    void rowsThatCannotBeSampledFailAsOnTheHost() {
        Host logits = normal(DType.F32, 1, 3, 300);
        for (int j = 0; j < 300; j++) {
            logits.values()[300 + j] = Float.NaN;
        }
        Host labels = labels(300, 10);
        RowDraws draws = draws(3);
        ClusterSampling stage1 = new ClusterSampling(1.15f, 4, 1f);
        for (Backend backend : new Backend[]{reference, subject}) {
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> run(backend,
                    (s, t) -> s.backend().kernels().sampleClusters(s, t[0], t[1], 10, stage1, draws), logits, labels));
            assertTrue(e.getMessage().startsWith("cannot sample from weights summing to NaN"), e.getMessage());
            e = assertThrows(IllegalArgumentException.class, () -> run(backend,
                    (s, t) -> s.backend().kernels().sampleTopK(s, t[0], 5, draws), logits));
            assertTrue(e.getMessage().startsWith("cannot sample from weights summing to"), e.getMessage());
        }
        // Nothing is left allocated by the failed calls.
        assertEquals(0, subject.memoryStats().liveTensors());
    }
}
