package org.cogview2.models.sampling;

/**
 * CogView2's cluster-restricted sampling: {@code CoglmStrategy} of stage 1 and the strategy of direct
 * super-resolution (spec 02 §2.8, §6.2). For one row of fp32 image logits:
 * <ol>
 *   <li>{@code z = logits / temperature}; {@code p = softmax(z)};</li>
 *   <li>cluster masses {@code m[c] = sum of p[v] over label(v) = c} (summed in token order);</li>
 *   <li>the {@code topClusters} largest masses, descending; draw one with probability {@code m / sum(top m)};</li>
 *   <li>tokens outside the chosen cluster get logit -65504 (probability exactly 0);
 *       {@code q = softmax(z / clusterTemperature)}; draw the token.</li>
 * </ol>
 * Stage 1 uses the recipe's temperature (1.15 by default), 16 clusters and second temperature 1.0; DSR always
 * uses temperature 1.0 (the recipe's {@code temp_all_dsr} is dead in the official code), 100 clusters and 0.89.
 */
public final class ClusterStrategy {

    private final ClusterTable clusters;
    private final float temperature;
    private final int topClusters;
    private final float clusterTemperature;

    public ClusterStrategy(ClusterTable clusters, float temperature, int topClusters, float clusterTemperature) {
        if (!(temperature > 0) || !(clusterTemperature > 0)) {
            throw new IllegalArgumentException("temperatures must be positive, got " + temperature + " and " + clusterTemperature);
        }
        if (topClusters < 1 || topClusters > ClusterTable.CLUSTERS) {
            throw new IllegalArgumentException("top clusters must be in 1.." + ClusterTable.CLUSTERS + ", got " + topClusters);
        }
        this.clusters = clusters;
        this.temperature = temperature;
        this.topClusters = topClusters;
        this.clusterTemperature = clusterTemperature;
    }

    /**
     * Chooses a token from {@code logits[offset .. offset + 20000)}; only the table's usable ids (all 20000 for the
     * official tokenizer) take part, as if the others had logit -infinity.
     */
    public ClusterChoice choose(float[] logits, int offset, long sample, int step, DrawSource draws) {
        int n = clusters.usableTokens();
        float[] z = new float[n];
        for (int v = 0; v < n; v++) {
            z[v] = logits[offset + v] / temperature;
        }
        float[] p = new float[n];
        Softmax.apply(z, n, p);
        float[] mass = new float[ClusterTable.CLUSTERS];
        for (int v = 0; v < n; v++) {
            mass[clusters.label(v)] += p[v];
        }
        int[] top = TopK.indices(mass, mass.length, topClusters);
        float[] scores = new float[topClusters];
        float total = 0f;
        for (int j = 0; j < topClusters; j++) {
            scores[j] = mass[top[j]];
            total += scores[j];
        }
        for (int j = 0; j < topClusters; j++) {
            scores[j] /= total;
        }
        int rank = draws.draw(sample, step, DrawPurpose.CLUSTER, scores, topClusters);
        int cluster = top[rank];

        // Only the chosen cluster's tokens have non-zero probability: softmax over them alone equals the
        // official softmax over all 20000 logits with the others at -65504.
        int[] members = clusters.members(cluster);
        float[] zc = new float[members.length];
        for (int i = 0; i < members.length; i++) {
            zc[i] = z[members[i]] / clusterTemperature;
        }
        float[] q = new float[members.length];
        Softmax.apply(zc, members.length, q);
        int pick = draws.draw(sample, step, DrawPurpose.TOKEN, q, members.length);
        return new ClusterChoice(members[pick], cluster, rank, scores, q[pick], members.length);
    }
}
