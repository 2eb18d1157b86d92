package org.cogview2.benchmarks.libtorch;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.index.NDIndex;
import ai.djl.ndarray.types.Shape;
import org.cogview2.models.sampling.ClusterTable;

/**
 * CogView2's cluster-restricted sampling ({@code ClusterStrategy}, spec 02 §2.8) for a whole batch in libtorch ops:
 * <pre>
 *   z = logits / T1;  p = softmax(z)
 *   mass[c] = sum of p over the tokens of cluster c      gather through a padded [500, S] member table, sum
 *   top = topk(mass, K)                                   sorted descending
 *   cluster = top.indices[draw(top.values)]
 *   q = softmax(z[members of cluster] / T2)               the other tokens have probability exactly 0
 *   token = members[draw(q)]
 * </pre>
 * DJL has no {@code scatter_add}, so the cluster table is an index tensor instead: row {@code c} lists the members of
 * cluster {@code c} ascending, padded to the largest cluster with the index of an extra column (0 for {@code p},
 * -inf for {@code z}). A draw is inverse-CDF sampling, as {@code torch.multinomial} does it and as our seeded draws
 * do: the first index whose cumulative weight exceeds {@code u * total}.
 */
final class LibtorchClusterSampler {

    private final float temperature;
    private final int topClusters;
    private final float clusterTemperature;
    /** int64 {@code [500, S]}: the members of each cluster, padded with 20000. */
    private final NDArray members;
    /** int64 {@code [500 * S]}: {@link #members} flattened, to index every cluster's probabilities at once. */
    private final NDArray flatMembers;
    /** int64 {@code [500]}: the number of members of each cluster. */
    private final NDArray sizes;
    private final int widest;

    LibtorchClusterSampler(NDManager manager, ClusterTable table, float temperature, int topClusters, float clusterTemperature) {
        if (!(temperature > 0) || !(clusterTemperature > 0) || topClusters < 1 || topClusters > ClusterTable.CLUSTERS) {
            throw new IllegalArgumentException("bad cluster sampling setting " + temperature + ", " + topClusters + ", " + clusterTemperature);
        }
        this.temperature = temperature;
        this.topClusters = topClusters;
        this.clusterTemperature = clusterTemperature;
        int[] counts = new int[ClusterTable.CLUSTERS];
        for (int v = 0; v < ClusterTable.TOKENS; v++) {
            counts[table.label(v)]++;
        }
        int w = 0;
        for (int c : counts) {
            w = Math.max(w, c);
        }
        widest = w;
        long[] padded = new long[ClusterTable.CLUSTERS * widest];
        java.util.Arrays.fill(padded, ClusterTable.TOKENS);
        int[] fill = new int[ClusterTable.CLUSTERS];
        for (int v = 0; v < ClusterTable.TOKENS; v++) {
            int c = table.label(v);
            padded[c * widest + fill[c]++] = v;
        }
        long[] sizeValues = new long[ClusterTable.CLUSTERS];
        for (int c = 0; c < sizeValues.length; c++) {
            sizeValues[c] = counts[c];
        }
        members = manager.create(padded, new Shape(ClusterTable.CLUSTERS, widest));
        flatMembers = manager.create(padded);
        sizes = manager.create(sizeValues);
    }

    /**
     * Chooses one token per row.
     *
     * @param logits   fp32 {@code [B, 20000]} (the step manager's)
     * @param uniforms fp32 {@code [B, 2]} in [0, 1): column 0 draws the cluster, column 1 the token
     * @return int64 {@code [B]} tokens, in the manager of {@code logits}
     */
    NDArray choose(NDArray logits, NDArray uniforms) {
        long batch = logits.getShape().get(0);
        NDManager step = logits.getManager();
        NDArray z = logits.div(temperature);
        NDArray p = z.softmax(1);
        NDArray pPadded = p.concat(step.zeros(new Shape(batch, 1)), 1);
        // p[:, members] (index_select on dim 1): the result lands in the step manager, like every temporary here.
        NDArray mass = pPadded.get(new NDIndex(":, {}", flatMembers))
                .reshape(batch, ClusterTable.CLUSTERS, widest).sum(new int[] {2});
        NDList top = mass.topK(topClusters, 1, true, true);
        NDArray rank = LibtorchOps.draw(top.get(0), uniforms.get(":, 0:1")).minimum(topClusters - 1);
        NDArray cluster = top.get(1).gather(rank, 1).squeeze(1);                  // [B]
        NDArray candidates = members.get(step, new NDIndex("{}", cluster));       // [B, S]
        NDArray zPadded = z.concat(step.full(new Shape(batch, 1), Float.NEGATIVE_INFINITY), 1);
        NDArray q = zPadded.gather(candidates, 1).divi(clusterTemperature).softmax(1);
        // Rounding can leave u * total at the top: clamp to the last real member, never the padding.
        NDArray lastMember = sizes.get(step, new NDIndex("{}", cluster)).subi(1).expandDims(1);
        NDArray pick = LibtorchOps.draw(q, uniforms.get(":, 1:2")).minimum(lastMember);
        return candidates.gather(pick, 1).squeeze(1);
    }

    /** Greedy choice (argmax of the logits), for verification against our greedy decoding. */
    static NDArray argmax(NDArray logits) {
        return logits.argMax(1);
    }
}
