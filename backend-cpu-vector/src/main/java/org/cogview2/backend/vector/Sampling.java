package org.cogview2.backend.vector;

import org.cogview2.spi.sampling.ClusterLabels;
import org.cogview2.spi.sampling.ClusterSampler;
import org.cogview2.spi.sampling.ClusterSampling;
import org.cogview2.spi.sampling.RowDraws;
import org.cogview2.spi.sampling.TopKSampler;
import org.cogview2.spi.support.MathFamilies;

/**
 * {@code sampleClusters} and {@code sampleTopK}, one row per work unit on the worker pool: the logits never leave the
 * backend (the stages read back ids only) and the cells of a super-resolution block are sampled in parallel. Each
 * row is the SPI's host definition on that row, and its draws depend on its (sample, step) alone, so the ids do not
 * depend on the thread count.
 */
final class Sampling implements MathFamilies.Sampling<VTensor> {

    private final VectorBackend backend;

    Sampling(VectorBackend backend) {
        this.backend = backend;
    }

    @Override
    public void sampleClusters(VTensor out, VTensor logits, VTensor labels, ClusterLabels table,
                               ClusterSampling sampling, RowDraws draws) {
        int v = logits.shape().dim(1);
        VTensor.Floats l = logits.floats();
        int[] ids = out.ints().a();
        backend.workers().run(draws.rows(), 8L * v * draws.rows(), unit ->
                ids[unit] = ClusterSampler.choose(l.a(), l.off() + unit * v, table, sampling, draws.picker(unit)).token());
    }

    @Override
    public void sampleTopK(VTensor out, VTensor logits, int k, RowDraws draws) {
        int v = logits.shape().dim(1);
        VTensor.Floats l = logits.floats();
        int[] ids = out.ints().a();
        backend.workers().run(draws.rows(), 8L * v * draws.rows(), unit ->
                ids[unit] = TopKSampler.choose(l.a(), l.off() + unit * v, v, k, draws.picker(unit)));
    }
}
