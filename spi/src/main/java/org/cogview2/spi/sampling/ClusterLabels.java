package org.cogview2.spi.sampling;

/**
 * The cluster of every image token (the official {@code cluster_label.npy}: 20000 tokens in 500 clusters), with
 * each cluster's members in token order. Immutable.
 */
public final class ClusterLabels {

    private final int[] labels;
    private final int clusters;
    private final int[][] members;

    private ClusterLabels(int[] labels, int clusters) {
        this.labels = labels;
        this.clusters = clusters;
        int[] counts = new int[clusters];
        for (int label : labels) {
            counts[label]++;
        }
        members = new int[clusters][];
        for (int c = 0; c < clusters; c++) {
            members[c] = new int[counts[c]];
        }
        int[] fill = new int[clusters];
        for (int v = 0; v < labels.length; v++) {
            members[labels[v]][fill[labels[v]]++] = v;
        }
    }

    /**
     * The labels of tokens {@code 0 .. labels.length-1}, each in {@code [0, clusters)}.
     *
     * @throws IllegalArgumentException naming the first token whose label is out of range
     */
    public static ClusterLabels of(int[] labels, int clusters) {
        if (clusters < 1) {
            throw new IllegalArgumentException("there must be at least one cluster, got " + clusters);
        }
        for (int v = 0; v < labels.length; v++) {
            if (labels[v] < 0 || labels[v] >= clusters) {
                throw new IllegalArgumentException("the label of token " + v + " is " + labels[v] + ", outside 0.."
                        + (clusters - 1));
            }
        }
        return new ClusterLabels(labels.clone(), clusters);
    }

    /** Tokens that take part: {@code 0 .. tokens()-1}. */
    public int tokens() {
        return labels.length;
    }

    public int clusters() {
        return clusters;
    }

    public int label(int token) {
        return labels[token];
    }

    /** The tokens of cluster {@code c}, ascending (a copy is not made: do not modify). */
    int[] membersOf(int c) {
        return members[c];
    }

    /** The tokens of cluster {@code c}, ascending. */
    public int[] members(int c) {
        return members[c].clone();
    }

    /** A copy of the labels. */
    public int[] labels() {
        return labels.clone();
    }
}
