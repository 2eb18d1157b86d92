package org.cogview2.api;

/**
 * How direct super-resolution picks each of the 3600 tokens: one of the {@code topClusters} most likely clusters
 * by mass, then a token inside it at {@code clusterTemperature} (the first temperature is always 1: the recipe's
 * {@code temp_all_dsr} has no effect in the official code). {@link #greedy()} takes the most likely cluster and
 * token (for verification).
 */
public record DsrSampling(int topClusters, float clusterTemperature, boolean greedy) {

    public DsrSampling {
        if (topClusters < 1 || topClusters > 500 || !(clusterTemperature > 0)) {
            throw new InvalidInputException("DSR sampling needs 1..500 clusters and a positive temperature, got "
                    + topClusters + " and " + clusterTemperature);
        }
    }

    public static DsrSampling clusters(int topClusters, float clusterTemperature) {
        return new DsrSampling(topClusters, clusterTemperature, false);
    }

    /** Mode draws with the given cluster count (the official strategy with every draw at its most likely outcome). */
    public static DsrSampling greedy(int topClusters, float clusterTemperature) {
        return new DsrSampling(topClusters, clusterTemperature, true);
    }
}
