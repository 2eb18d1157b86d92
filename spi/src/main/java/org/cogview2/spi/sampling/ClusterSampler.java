package org.cogview2.spi.sampling;

/**
 * CogView2's cluster-restricted sampling, {@code CoglmStrategy} of stage 1 and the strategy of direct
 * super-resolution (spec 02 §2.8, §6.2), for one row of fp32 image logits, every operation in this order:
 * <ol>
 *   <li>{@code z[v] = logits[v] / temperature} (fp32) for the {@code labels.tokens()} usable tokens;
 *       {@code p = softmax(z)} ({@link #softmax});</li>
 *   <li>cluster masses {@code m[c] += p[v]} in token order (fp32);</li>
 *   <li>the {@code topClusters} largest masses, descending, equal masses lower cluster first;
 *       scores {@code m / sum(top m)} (fp32 sum in rank order, then one division each); draw a rank
 *       ({@link DrawPurpose#CLUSTER});</li>
 *   <li>tokens outside the chosen cluster get probability exactly 0 (the official -65504 logit);
 *       {@code q = softmax(z[members] / clusterTemperature)}; draw the token ({@link DrawPurpose#TOKEN}).</li>
 * </ol>
 */
public final class ClusterSampler {

    private ClusterSampler() {
    }

    /** The choice for {@code logits[offset .. offset + labels.tokens())}. */
    public static ClusterChoice choose(float[] logits, int offset, ClusterLabels labels, ClusterSampling sampling,
                                       Picker picker) {
        int n = labels.tokens();
        int top = Math.min(sampling.topClusters(), labels.clusters());
        float[] z = new float[n];
        for (int v = 0; v < n; v++) {
            z[v] = logits[offset + v] / sampling.temperature();
        }
        float[] p = new float[n];
        softmax(z, n, p);
        float[] mass = new float[labels.clusters()];
        for (int v = 0; v < n; v++) {
            mass[labels.label(v)] += p[v];
        }
        int[] best = topIndices(mass, mass.length, top);
        float[] scores = new float[top];
        float total = 0f;
        for (int j = 0; j < top; j++) {
            scores[j] = mass[best[j]];
            total += scores[j];
        }
        for (int j = 0; j < top; j++) {
            scores[j] /= total;
        }
        int rank = picker.pick(DrawPurpose.CLUSTER, scores, top);
        int cluster = best[rank];

        // Only the chosen cluster's tokens have non-zero probability: softmax over them alone equals the
        // official softmax over all logits with the others at -65504.
        int[] members = labels.membersOf(cluster);
        float[] zc = new float[members.length];
        for (int i = 0; i < members.length; i++) {
            zc[i] = z[members[i]] / sampling.clusterTemperature();
        }
        float[] q = new float[members.length];
        softmax(zc, members.length, q);
        int pick = picker.pick(DrawPurpose.TOKEN, q, members.length);
        return new ClusterChoice(members[pick], cluster, rank, scores, q[pick], members.length);
    }

    /**
     * fp32 softmax as the official strategies compute it after moving logits to fp32:
     * {@code out[i] = (float) exp(x[i] - max)} (exp in double, rounded once), {@code sum} of those in double,
     * {@code inv = (float) (1 / sum)}, {@code out[i] *= inv}.
     */
    public static void softmax(float[] x, int n, float[] out) {
        float max = Float.NEGATIVE_INFINITY;
        for (int i = 0; i < n; i++) {
            max = Math.max(max, x[i]);
        }
        double sum = 0;
        for (int i = 0; i < n; i++) {
            float e = (float) Math.exp(x[i] - max);
            out[i] = e;
            sum += e;
        }
        float inv = (float) (1.0 / sum);
        for (int i = 0; i < n; i++) {
            out[i] *= inv;
        }
    }

    /** Indices of the {@code k} largest of {@code values[0 .. n)}, descending; equal values keep the lower index first. */
    public static int[] topIndices(float[] values, int n, int k) {
        int[] top = new int[k];
        int size = 0;
        for (int i = 0; i < n; i++) {
            float v = values[i];
            if (size == k && !(v > values[top[k - 1]])) {
                continue;
            }
            int pos = size < k ? size++ : k - 1;
            while (pos > 0 && v > values[top[pos - 1]]) {
                top[pos] = top[pos - 1];
                pos--;
            }
            top[pos] = i;
        }
        return top;
    }
}
