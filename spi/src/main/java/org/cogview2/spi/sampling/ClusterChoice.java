package org.cogview2.spi.sampling;

/**
 * One decision of the cluster strategy, with what led to it (for tests and traces).
 *
 * @param token            the chosen image token
 * @param cluster          its cluster label
 * @param clusterRank      index of the chosen cluster in the top-k list (0 = largest mass)
 * @param clusterProbs     the distribution of the cluster draw: top-k masses, descending, normalised
 * @param tokenProbability the chosen token's probability in the token draw
 * @param support          tokens with non-zero probability in the token draw (the cluster's size)
 */
public record ClusterChoice(int token, int cluster, int clusterRank, float[] clusterProbs, float tokenProbability, int support) {
}
