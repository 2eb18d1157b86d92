package org.cogview2.models.sampling;

import org.cogview2.spi.sampling.ClusterChoice;
import org.cogview2.spi.sampling.ClusterSampler;
import org.cogview2.spi.sampling.ClusterSampling;

/**
 * CogView2's cluster-restricted sampling, {@code CoglmStrategy} of stage 1 and the strategy of direct
 * super-resolution (spec 02 §2.8, §6.2), on the host: the SPI's definition ({@link ClusterSampler}, which the
 * backends' {@code sampleClusters} kernel computes on their side) with the draws of a {@link DrawSource}. Stage 1
 * uses the recipe's temperature (1.15 by default), 16 clusters and second temperature 1.0; DSR always uses
 * temperature 1.0 (the recipe's {@code temp_all_dsr} is dead in the official code), 100 clusters and 0.89.
 */
public final class ClusterStrategy {

    private final ClusterTable clusters;
    private final ClusterSampling sampling;

    public ClusterStrategy(ClusterTable clusters, float temperature, int topClusters, float clusterTemperature) {
        if (topClusters < 1 || topClusters > ClusterTable.CLUSTERS) {
            throw new IllegalArgumentException("top clusters must be in 1.." + ClusterTable.CLUSTERS + ", got " + topClusters);
        }
        this.clusters = clusters;
        this.sampling = new ClusterSampling(temperature, topClusters, clusterTemperature);
    }

    public ClusterTable clusters() {
        return clusters;
    }

    /** The parameters, as the {@code sampleClusters} kernel takes them. */
    public ClusterSampling sampling() {
        return sampling;
    }

    /**
     * Chooses a token from {@code logits[offset .. offset + 20000)}; only the table's usable ids (all 20000 for the
     * official tokenizer) take part, as if the others had logit -infinity.
     */
    public ClusterChoice choose(float[] logits, int offset, long sample, int step, DrawSource draws) {
        return ClusterSampler.choose(logits, offset, clusters.usableLabels(), sampling, draws.picker(sample, step));
    }
}
