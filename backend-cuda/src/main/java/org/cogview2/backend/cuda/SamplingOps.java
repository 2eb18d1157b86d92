package org.cogview2.backend.cuda;

import org.cogview2.spi.sampling.ClusterLabels;
import org.cogview2.spi.sampling.ClusterSampler;
import org.cogview2.spi.sampling.ClusterSampling;
import org.cogview2.spi.sampling.RowDraws;
import org.cogview2.spi.sampling.TopKSampler;
import org.cogview2.spi.support.MathFamilies;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.util.ArrayList;
import java.util.List;

/**
 * {@code sampleClusters} and {@code sampleTopK} on the device ({@code src/main/cuda/sampling.cuh}): the logits never
 * leave it; per call the host uploads the draws' counters (three ints a row) and, for the cluster strategy, the
 * table's members by cluster, and reads back one id per row. Each kernel is the SPI's host definition
 * ({@link ClusterSampler}, {@link TopKSampler}) operation for operation, so the ids are every other backend's.
 */
final class SamplingOps implements MathFamilies.Sampling<CudaTensor> {

    /** Threads per row of the cluster kernel (the element-wise softmax and the per-cluster masses). */
    static final int CLUSTER_THREADS = 256;
    /** The cluster kernel works on rows in chunks whose scratch stays under this many floats (64 MiB). */
    static final long CLUSTER_SCRATCH_FLOATS = 16L << 20;

    private final CudaBackend backend;
    private final Launcher launcher;
    private final NormOps norms;
    /** The members by cluster of the last table seen (the stages pass one table per generation). */
    private volatile ClusterIndex lastIndex;

    SamplingOps(CudaBackend backend, NormOps norms) {
        this.backend = backend;
        this.launcher = backend.launcher();
        this.norms = norms;
    }

    /** A table's tokens grouped by cluster: cluster c is {@code members[starts[c] .. starts[c+1])}, ascending. */
    private record ClusterIndex(ClusterLabels table, int[] starts, int[] members, int largest) {

        static ClusterIndex of(ClusterLabels table) {
            int clusters = table.clusters();
            int[] starts = new int[clusters + 1];
            for (int v = 0; v < table.tokens(); v++) {
                starts[table.label(v) + 1]++;
            }
            int largest = 0;
            for (int c = 0; c < clusters; c++) {
                largest = Math.max(largest, starts[c + 1]);
                starts[c + 1] += starts[c];
            }
            int[] fill = starts.clone();
            int[] members = new int[table.tokens()];
            for (int v = 0; v < table.tokens(); v++) {
                members[fill[table.label(v)]++] = v;
            }
            return new ClusterIndex(table, starts, members, largest);
        }
    }

    private ClusterIndex indexOf(ClusterLabels table) {
        ClusterIndex index = lastIndex;
        if (index == null || index.table() != table) {
            index = ClusterIndex.of(table);
            lastIndex = index;
        }
        return index;
    }

    @Override
    public void sampleClusters(CudaTensor out, CudaTensor logits, CudaTensor labels, ClusterLabels table,
                               ClusterSampling sampling, RowDraws draws) {
        int m = draws.rows();
        if (m == 0) {
            return;
        }
        long v = logits.shape().dim(1);
        int n = table.tokens();
        int clusters = table.clusters();
        int top = Math.min(sampling.topClusters(), clusters);
        ClusterIndex index = indexOf(table);
        long stride = (long) n + clusters + 2L * top + index.largest();
        int chunk = (int) Math.max(1, Math.min(m, CLUSTER_SCRATCH_FLOATS / stride));
        backend.enter();
        List<DeviceAllocator.Block> held = new ArrayList<>();
        try (Arena arena = Arena.ofConfined()) {
            DeviceAllocator.Block starts = upload(arena, index.starts(), held);
            DeviceAllocator.Block members = upload(arena, index.members(), held);
            DeviceAllocator.Block counters = upload(arena, counters(draws), held);
            DeviceAllocator.Block scratch = scratch(4L * chunk * stride, held);
            DeviceAllocator.Block failed = scratch(8L * m, held);
            for (int r0 = 0; r0 < m; r0 += chunk) {
                int rows = Math.min(chunk, m - r0);
                launcher.launch(Kernel.SAMPLE_CLUSTERS, rows, 1, 1, CLUSTER_THREADS, 0,
                        Launcher.address(logits.address() + 4L * r0 * v), v, n,
                        Launcher.address(starts.address()), Launcher.address(members.address()), clusters, top,
                        sampling.temperature(), sampling.clusterTemperature(),
                        Launcher.address(counters.address() + 12L * r0), draws.key(), draws.greedy() ? 1 : 0,
                        Launcher.address(scratch.address()), stride, Launcher.address(out.address() + 4L * r0),
                        Launcher.address(failed.address() + 8L * r0));
            }
            checkSampled(arena, out, failed, m);
        } finally {
            held.forEach(backend::releaseScratch);
        }
    }

    /** The k largest logits of each row by the {@code topK} radix select, then one thread per row in token order. */
    @Override
    public void sampleTopK(CudaTensor out, CudaTensor logits, int k, RowDraws draws) {
        int m = draws.rows();
        if (m == 0) {
            return;
        }
        long v = logits.shape().dim(1);
        backend.enter();
        List<DeviceAllocator.Block> held = new ArrayList<>();
        try (Arena arena = Arena.ofConfined()) {
            DeviceAllocator.Block values = scratch(4L * m * k, held);
            DeviceAllocator.Block indices = scratch(4L * m * k, held);
            DeviceAllocator.Block counters = upload(arena, counters(draws), held);
            DeviceAllocator.Block failed = scratch(8L * m, held);
            norms.topK(values.address(), indices.address(), logits, m, v, k);
            launcher.launch(Kernel.SAMPLE_TOPK, m, 1, 1, 32, 0, logits, v, Launcher.address(values.address()),
                    (long) k, Launcher.address(counters.address()), draws.key(), draws.greedy() ? 1 : 0, out,
                    Launcher.address(failed.address()));
            checkSampled(arena, out, failed, m);
        } finally {
            held.forEach(backend::releaseScratch);
        }
    }

    /** Per row the draw's Philox counter words: sample low, sample high, step. */
    private static int[] counters(RowDraws draws) {
        long[] samples = draws.samples();
        int[] steps = draws.steps();
        int[] c = new int[3 * samples.length];
        for (int r = 0; r < samples.length; r++) {
            c[3 * r] = (int) samples[r];
            c[3 * r + 1] = (int) (samples[r] >>> 32);
            c[3 * r + 2] = steps[r];
        }
        return c;
    }

    /** Scratch memory added to {@code held}, which the caller releases whatever happens after. */
    private DeviceAllocator.Block scratch(long bytes, List<DeviceAllocator.Block> held) {
        DeviceAllocator.Block block = backend.scratch(bytes);
        held.add(block);
        return block;
    }

    private DeviceAllocator.Block upload(Arena arena, int[] values, List<DeviceAllocator.Block> held) {
        DeviceAllocator.Block block = scratch(4L * Math.max(1, values.length), held);
        if (values.length > 0) {
            MemorySegment host = arena.allocate(4L * values.length, 16);
            MemorySegment.copy(values, 0, host, ValueLayout.JAVA_INT, 0, values.length);
            backend.device().copyToDevice(block.address(), host);
        }
        return block;
    }

    /**
     * A row the kernel could not sample has id -1 and its weights' sum in {@code failed}: the same error as the host
     * definition's ({@link org.cogview2.spi.sampling.Picker#inverseCdf}). Reading the ids back is the sync the stage
     * does next anyway.
     */
    private void checkSampled(Arena arena, CudaTensor out, DeviceAllocator.Block failed, int m) {
        MemorySegment ids = arena.allocate(4L * m, 16);
        backend.device().copyToHost(ids, out.address());
        for (int r = 0; r < m; r++) {
            if (ids.getAtIndex(ValueLayout.JAVA_INT, r) < 0) {
                MemorySegment sum = arena.allocate(8, 8);
                backend.device().copyToHost(sum, failed.address() + 8L * r);
                throw new IllegalArgumentException("cannot sample from weights summing to "
                        + sum.get(ValueLayout.JAVA_DOUBLE, 0) + " (row " + r + " of the logits)");
            }
        }
    }
}
