package org.cogview2.backend.reference;

import org.cogview2.spi.sampling.ClusterLabels;
import org.cogview2.spi.sampling.ClusterSampler;
import org.cogview2.spi.sampling.ClusterSampling;
import org.cogview2.spi.sampling.RowDraws;
import org.cogview2.spi.sampling.TopKSampler;
import org.cogview2.spi.support.MathFamilies;

/**
 * {@code sampleClusters} and {@code sampleTopK}: each row is the SPI's host definition ({@link ClusterSampler},
 * {@link TopKSampler}) on that row, rows split between threads; a row's draws depend on its (sample, step) alone, so
 * the ids do not depend on the thread count.
 */
final class SamplingKernels implements MathFamilies.Sampling<ReferenceTensor> {

    private final Parallel parallel;

    SamplingKernels(Parallel parallel) {
        this.parallel = parallel;
    }

    @Override
    public void sampleClusters(ReferenceTensor out, ReferenceTensor logits, ReferenceTensor labels, ClusterLabels table,
                               ClusterSampling sampling, RowDraws draws) {
        int v = logits.shape().dim(1);
        ReferenceTensor.FloatData l = logits.floats();
        int[] ids = (int[]) out.storage().array();
        parallel.forRows(draws.rows(), 8L * v, (from, to) -> {
            for (int r = from; r < to; r++) {
                ids[r] = ClusterSampler.choose(l.data(), l.offset() + r * v, table, sampling, draws.picker(r)).token();
            }
        });
    }

    @Override
    public void sampleTopK(ReferenceTensor out, ReferenceTensor logits, int k, RowDraws draws) {
        int v = logits.shape().dim(1);
        ReferenceTensor.FloatData l = logits.floats();
        int[] ids = (int[]) out.storage().array();
        parallel.forRows(draws.rows(), 8L * v, (from, to) -> {
            for (int r = from; r < to; r++) {
                ids[r] = TopKSampler.choose(l.data(), l.offset() + r * v, v, k, draws.picker(r));
            }
        });
    }
}
