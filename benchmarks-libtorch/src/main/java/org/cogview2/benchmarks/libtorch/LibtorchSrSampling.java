package org.cogview2.benchmarks.libtorch;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.index.NDIndex;
import ai.djl.ndarray.types.Shape;
import org.cogview2.models.sampling.ClusterTable;

import java.util.Arrays;

/**
 * The two token choices of the super-resolution stages for a block of grid cells at once, in libtorch ops. Both
 * take fp32 image logits {@code [N, 20000]} and uniforms {@code [N, 2]} in [0, 1) and return int64 tokens {@code [N]}.
 */
final class LibtorchSrSampling {

    private LibtorchSrSampling() {
    }

    /**
     * Direct SR's cluster strategy ({@code ClusterStrategy} at temperature 1, spec 02 §6.2):
     * <pre>
     *   p = softmax(z);  mass[c] = sum of p over the tokens of cluster c
     *   top = topk(mass, K);  cluster = top.indices[draw(top.values)]
     *   q = softmax(z[members of cluster] / T2);  token = members[draw(q)]
     * </pre>
     * DJL has no {@code scatter_add}, so the cluster table is an index tensor: row {@code c} lists the members of
     * cluster {@code c} ascending, padded to the largest cluster with 20000, the index of an extra column (0 for
     * {@code p}, -inf for {@code z}).
     */
    static final class Clusters {

        private final int topClusters;
        private final float clusterTemperature;
        private final int widest;
        /** int64 {@code [500, widest]}. */
        private final NDArray members;
        /** int64 {@code [500 * widest]}. */
        private final NDArray flatMembers;
        /** int64 {@code [500]}: members per cluster. */
        private final NDArray sizes;

        Clusters(NDManager manager, ClusterTable table, int topClusters, float clusterTemperature) {
            this.topClusters = topClusters;
            this.clusterTemperature = clusterTemperature;
            int[] counts = new int[ClusterTable.CLUSTERS];
            for (int v = 0; v < ClusterTable.TOKENS; v++) {
                counts[table.label(v)]++;
            }
            widest = Arrays.stream(counts).max().orElseThrow();
            long[] padded = new long[ClusterTable.CLUSTERS * widest];
            Arrays.fill(padded, ClusterTable.TOKENS);
            int[] fill = new int[ClusterTable.CLUSTERS];
            for (int v = 0; v < ClusterTable.TOKENS; v++) {
                int c = table.label(v);
                padded[c * widest + fill[c]++] = v;
            }
            members = manager.create(padded, new Shape(ClusterTable.CLUSTERS, widest));
            flatMembers = manager.create(padded);
            sizes = manager.create(Arrays.stream(counts).asLongStream().toArray());
        }

        NDArray choose(NDArray logits, NDArray uniforms) {
            NDManager step = logits.getManager();
            long n = logits.getShape().get(0);
            NDArray p = logits.softmax(1);
            NDArray mass = p.concat(step.zeros(new Shape(n, 1)), 1)
                    .get(new NDIndex(":, {}", flatMembers))
                    .reshape(n, ClusterTable.CLUSTERS, widest)
                    .sum(new int[] {2});
            NDList top = mass.topK(topClusters, 1, true, true);
            NDArray rank = LibtorchSrOps.draw(top.get(0), uniforms.get(":, 0:1"));
            NDArray cluster = top.get(1).gather(rank, 1).squeeze(1);
            NDArray candidates = members.get(step, new NDIndex("{}", cluster));                // [N, widest]
            NDArray q = logits.concat(step.full(new Shape(n, 1), Float.NEGATIVE_INFINITY), 1)
                    .gather(candidates, 1).divi(clusterTemperature).softmax(1);
            // Rounding can leave u * total at the very top: clamp to the cluster's last real member.
            NDArray last = sizes.get(step, new NDIndex("{}", cluster)).subi(1).expandDims(1);
            NDArray pick = LibtorchSrOps.draw(q, uniforms.get(":, 1:2")).minimum(last);
            return candidates.gather(pick, 1).squeeze(1);
        }
    }

    /**
     * Iterative SR's strategy (spec 02 §7.2): keep the {@code k} largest logits, softmax over them, draw. The official
     * threshold form keeps every token tied with the k-th value; {@code topk} keeps exactly k (ties of fp32 logits
     * have probability zero with real weights).
     */
    static NDArray topK(NDArray logits, int k, NDArray uniforms) {
        NDList top = logits.topK(k, 1, true, true);
        NDArray pick = LibtorchSrOps.draw(top.get(0).softmax(1), uniforms.get(":, 0:1"));
        return top.get(1).gather(pick, 1).squeeze(1);
    }
}
