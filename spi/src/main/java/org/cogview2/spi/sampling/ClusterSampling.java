package org.cogview2.spi.sampling;

/**
 * The parameters of CogView2's cluster strategy ({@link ClusterSampler}).
 *
 * @param temperature        divides the logits before the first softmax
 * @param topClusters        how many clusters of largest mass take part in the cluster draw
 * @param clusterTemperature divides the (already divided) logits of the chosen cluster before the token draw
 */
public record ClusterSampling(float temperature, int topClusters, float clusterTemperature) {

    public ClusterSampling {
        if (!(temperature > 0) || !(clusterTemperature > 0) || Float.isInfinite(temperature)
                || Float.isInfinite(clusterTemperature)) {
            throw new IllegalArgumentException("temperatures must be positive and finite, got " + temperature + " and "
                    + clusterTemperature);
        }
        if (topClusters < 1) {
            throw new IllegalArgumentException("top clusters must be at least 1, got " + topClusters);
        }
    }
}
