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

/**
 * {@code sampleClusters} and {@code sampleTopK}. There is no CUDA kernel for them yet: the logits are copied to the
 * host once per call and each row is the SPI's host definition ({@link ClusterSampler}, {@link TopKSampler}); only the
 * ids are copied back. The results are those of every other backend; a device kernel (one block per row: softmax,
 * cluster masses, top clusters, the two Philox draws) would save the copy of the logits.
 */
final class SamplingOps implements MathFamilies.Sampling<CudaTensor> {

    private final CudaBackend backend;

    SamplingOps(CudaBackend backend) {
        this.backend = backend;
    }

    @Override
    public void sampleClusters(CudaTensor out, CudaTensor logits, CudaTensor labels, ClusterLabels table,
                               ClusterSampling sampling, RowDraws draws) {
        int v = logits.shape().dim(1);
        float[] l = download(logits);
        int[] ids = new int[draws.rows()];
        for (int r = 0; r < ids.length; r++) {
            ids[r] = ClusterSampler.choose(l, r * v, table, sampling, draws.picker(r)).token();
        }
        upload(ids, out);
    }

    @Override
    public void sampleTopK(CudaTensor out, CudaTensor logits, int k, RowDraws draws) {
        int v = logits.shape().dim(1);
        float[] l = download(logits);
        int[] ids = new int[draws.rows()];
        for (int r = 0; r < ids.length; r++) {
            ids[r] = TopKSampler.choose(l, r * v, v, k, draws.picker(r));
        }
        upload(ids, out);
    }

    private float[] download(CudaTensor t) {
        backend.enter();
        if (t.count() == 0) {
            return new float[0];
        }
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment host = arena.allocate(t.bytes(), 16);
            backend.device().copyToHost(host, t.address());
            return host.toArray(ValueLayout.JAVA_FLOAT);
        }
    }

    private void upload(int[] ids, CudaTensor out) {
        if (ids.length == 0) {
            return;
        }
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment host = arena.allocate(4L * ids.length, 16);
            MemorySegment.copy(ids, 0, host, ValueLayout.JAVA_INT, 0, ids.length);
            backend.device().copyToDevice(out.address(), host);
        }
    }
}
