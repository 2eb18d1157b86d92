package org.cogview2.training.clusters;

import org.cogview2.api.Tokenizer;
import org.cogview2.models.sampling.ClusterTable;

import java.util.Arrays;
import java.util.SplittableRandom;
import java.util.stream.IntStream;

/**
 * CogView2's {@code cluster_label.npy} for a trained image tokenizer: its codebook vectors grouped into the 500
 * clusters that stage 1 and direct super-resolution sample from (a cluster first, then a token in it), by k-means
 * (k-means++ seeding, Lloyd iterations, squared Euclidean distance). The official table groups the released
 * tokenizer's 20000 codes the same way, by similarity of their embeddings.
 *
 * <p>Image ids past the codebook ({@code [codes, 20000)}) exist in the vocabulary but are never produced; they are
 * spread over the clusters in turn. Their logits are 0 in models trained here (zero embedding rows), far below the
 * tokens the model predicts, so they carry next to no mass in any cluster.
 */
public final class CodebookClusters {

    private CodebookClusters() {
    }

    /**
     * Labels for all 20000 image ids.
     *
     * @param codebook {@code [codes, dim]} row-major
     */
    public static long[] labels(float[] codebook, int codes, int dim, int iterations, long seed) {
        int k = ClusterTable.CLUSTERS;
        if (codes < k || codes > Tokenizer.IMAGE_TOKENS || codebook.length != codes * dim) {
            throw new IllegalArgumentException("need between " + k + " and 20000 codes of " + dim + " values, got "
                    + codebook.length + " values for " + codes + " codes");
        }
        float[] centres = seed(codebook, codes, dim, k, new SplittableRandom(seed));
        int[] assigned = new int[codes];
        for (int it = 0; it < iterations; it++) {
            float[] c = centres;
            IntStream.range(0, codes).parallel().forEach(v -> assigned[v] = nearest(codebook, v, c, k, dim));
            float[] sums = new float[k * dim];
            int[] counts = new int[k];
            for (int v = 0; v < codes; v++) {
                counts[assigned[v]]++;
                for (int d = 0; d < dim; d++) {
                    sums[assigned[v] * dim + d] += codebook[v * dim + d];
                }
            }
            float[] next = centres.clone();
            for (int j = 0; j < k; j++) {
                if (counts[j] > 0) {
                    for (int d = 0; d < dim; d++) {
                        next[j * dim + d] = sums[j * dim + d] / counts[j];
                    }
                }
            }
            centres = next;
        }
        float[] c = centres;
        IntStream.range(0, codes).parallel().forEach(v -> assigned[v] = nearest(codebook, v, c, k, dim));
        long[] labels = new long[Tokenizer.IMAGE_TOKENS];
        for (int v = 0; v < labels.length; v++) {
            labels[v] = v < codes ? assigned[v] : v % k;
        }
        return labels;
    }

    /** k-means++: each next centre drawn with probability proportional to the squared distance to the nearest one. */
    private static float[] seed(float[] x, int n, int dim, int k, SplittableRandom random) {
        float[] centres = new float[k * dim];
        int first = random.nextInt(n);
        System.arraycopy(x, first * dim, centres, 0, dim);
        double[] best = new double[n];
        Arrays.fill(best, Double.MAX_VALUE);
        for (int j = 1; j < k; j++) {
            int last = j - 1;
            double total = 0;
            for (int v = 0; v < n; v++) {
                best[v] = Math.min(best[v], distance(x, v, centres, last, dim));
                total += best[v];
            }
            double r = random.nextDouble() * total;
            int pick = n - 1;
            for (int v = 0; v < n; v++) {
                r -= best[v];
                if (r <= 0) {
                    pick = v;
                    break;
                }
            }
            System.arraycopy(x, pick * dim, centres, j * dim, dim);
        }
        return centres;
    }

    private static int nearest(float[] x, int v, float[] centres, int k, int dim) {
        int best = 0;
        double bestDistance = Double.MAX_VALUE;
        for (int j = 0; j < k; j++) {
            double d = distance(x, v, centres, j, dim);
            if (d < bestDistance) {
                bestDistance = d;
                best = j;
            }
        }
        return best;
    }

    private static double distance(float[] x, int v, float[] centres, int j, int dim) {
        double s = 0;
        for (int d = 0; d < dim; d++) {
            double diff = x[v * dim + d] - centres[j * dim + d];
            s += diff * diff;
        }
        return s;
    }
}
