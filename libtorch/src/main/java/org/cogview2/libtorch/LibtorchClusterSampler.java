package org.cogview2.libtorch;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.index.NDIndex;
import ai.djl.ndarray.types.Shape;
import org.cogview2.models.sampling.ClusterTable;

import java.util.Arrays;

/**
 * CogView2's cluster-restricted sampling ({@code ClusterStrategy}, spec 02 §2.8 and §6.2) for a block of rows in
 * libtorch ops; CogLM's stage 1 and direct super-resolution (temperature 1) both use it:
 * <pre>
 *   z = logits / T1;  p = softmax(z)
 *   mass[c] = sum of p over the tokens of cluster c      gather through a padded [500, S] member table, sum
 *   top = topk(mass, K)                                   sorted descending
 *   cluster = top.indices[draw(top.values)]
 *   q = softmax(z[members of cluster] / T2)               the other tokens have probability exactly 0
 *   token = members[draw(q)]
 * </pre>
 * DJL has no {@code scatter_add}, so the cluster table is an index tensor: row {@code c} lists the members of
 * cluster {@code c} ascending, padded to the largest cluster with token 0. The padding is removed arithmetically
 * rather than by appending a zero (or -inf) column to the logits, which would copy them: the masses subtract
 * {@code pads[c] * p[0]}, and the padded candidates of the chosen cluster get a -inf bias. A draw is inverse-CDF
 * sampling ({@link LibtorchOps#draw}).
 */
final class LibtorchClusterSampler {

    private final float temperature;
    private final int topClusters;
    private final float clusterTemperature;
    private final int widest;
    /** int64 {@code [500, widest]}: the members of each cluster, ascending, padded with token 0. */
    private final NDArray members;
    /** int64 {@code [500 * widest]}: {@link #members} flattened, to gather every cluster's probabilities at once. */
    private final NDArray flatMembers;
    /** fp32 {@code [500]}: padding entries per cluster (each stands for {@code p[0]} in the gathered sum). */
    private final NDArray pads;
    /** fp32 {@code [500, widest]}: 0 for a member, -inf for padding. */
    private final NDArray padBias;
    /** int64 {@code [500]}: members per cluster. */
    private final NDArray sizes;

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
        widest = Arrays.stream(counts).max().orElseThrow();
        long[] padded = new long[ClusterTable.CLUSTERS * widest];
        float[] bias = new float[padded.length];
        Arrays.fill(bias, Float.NEGATIVE_INFINITY);
        int[] fill = new int[ClusterTable.CLUSTERS];
        for (int v = 0; v < ClusterTable.TOKENS; v++) {
            int c = table.label(v);
            bias[c * widest + fill[c]] = 0f;
            padded[c * widest + fill[c]++] = v;
        }
        float[] padCounts = new float[ClusterTable.CLUSTERS];
        for (int c = 0; c < padCounts.length; c++) {
            padCounts[c] = widest - counts[c];
        }
        members = manager.create(padded, new Shape(ClusterTable.CLUSTERS, widest));
        flatMembers = manager.create(padded);
        pads = manager.create(padCounts);
        padBias = manager.create(bias, new Shape(ClusterTable.CLUSTERS, widest));
        sizes = manager.create(Arrays.stream(counts).asLongStream().toArray());
    }

    /**
     * Chooses one token per row.
     *
     * @param logits   fp32 {@code [N, 20000]} (the step manager's)
     * @param uniforms fp32 {@code [N, 2]} in [0, 1): column 0 draws the cluster, column 1 the token
     * @return int64 {@code [N]} tokens, in the manager of {@code logits}
     */
    NDArray choose(NDArray logits, NDArray uniforms) {
        NDManager step = logits.getManager();
        long n = logits.getShape().get(0);
        NDArray z = temperature == 1f ? logits : logits.div(temperature);
        NDArray p = z.softmax(1);
        NDArray mass = p.get(new NDIndex(":, {}", flatMembers))
                .reshape(n, ClusterTable.CLUSTERS, widest)
                .sum(new int[] {2})
                .subi(p.get(":, 0:1").mul(pads));
        NDList top = mass.topK(topClusters, 1, true, true);
        NDArray rank = LibtorchOps.draw(top.get(0), uniforms.get(":, 0:1"));
        NDArray cluster = top.get(1).gather(rank, 1).squeeze(1);
        NDIndex chosen = new NDIndex("{}", cluster);
        NDArray candidates = members.get(step, chosen);                                   // [N, widest]
        NDArray q = z.gather(candidates, 1).addi(padBias.get(step, chosen)).divi(clusterTemperature).softmax(1);
        // Rounding can leave u * total at the very top: clamp to the cluster's last real member.
        NDArray last = sizes.get(step, chosen).subi(1).expandDims(1);
        NDArray pick = LibtorchOps.draw(q, uniforms.get(":, 1:2")).minimum(last);
        return candidates.gather(pick, 1).squeeze(1);
    }

    /** Greedy choice (argmax of the logits), for verification against our greedy decoding. */
    static NDArray argmax(NDArray logits) {
        return logits.argMax(1);
    }
}
