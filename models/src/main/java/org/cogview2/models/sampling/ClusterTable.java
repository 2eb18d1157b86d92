package org.cogview2.models.sampling;

import org.cogview2.api.ModelFormatException;
import org.cogview2.checkpoint.npy.NpyArray;

import java.nio.file.Path;
import java.util.Arrays;

/**
 * CogView2's {@code cluster_label.npy}: a cluster label in {@code [0, 500)} for each of the 20000 image tokens.
 * Stage 1 and direct super-resolution sample a cluster first, then a token inside it.
 */
public final class ClusterTable {

    /** The file name, as the official scripts load it from their working directory. */
    public static final String FILE_NAME = "cluster_label.npy";

    public static final int TOKENS = 20000;
    public static final int CLUSTERS = 500;

    private final int[] labels;
    private final int[][] members;

    private ClusterTable(int[] labels) {
        this.labels = labels;
        int[] counts = new int[CLUSTERS];
        for (int label : labels) {
            counts[label]++;
        }
        members = new int[CLUSTERS][];
        for (int c = 0; c < CLUSTERS; c++) {
            members[c] = new int[counts[c]];
        }
        int[] fill = new int[CLUSTERS];
        for (int v = 0; v < labels.length; v++) {
            members[labels[v]][fill[labels[v]]++] = v;
        }
    }

    /** Reads the official table (NumPy int64 {@code (20000,)}). */
    public static ClusterTable load(Path file) {
        NpyArray array = NpyArray.read(file);
        if (array.isFloating() || array.shape().length != 1 || array.shape()[0] != TOKENS) {
            throw new ModelFormatException(file, "expected an integer array of shape (20000,), got "
                    + array.descr() + " " + Arrays.toString(array.shape()));
        }
        long[] values = array.toLongs();
        int[] labels = new int[TOKENS];
        for (int v = 0; v < TOKENS; v++) {
            if (values[v] < 0 || values[v] >= CLUSTERS) {
                throw new ModelFormatException(file, "label of token " + v + " is " + values[v] + ", outside 0.." + (CLUSTERS - 1));
            }
            labels[v] = (int) values[v];
        }
        return new ClusterTable(labels);
    }

    /** A table from labels in memory (tests, demo models). */
    public static ClusterTable of(int[] labels) {
        if (labels.length != TOKENS) {
            throw new IllegalArgumentException("need " + TOKENS + " labels, got " + labels.length);
        }
        for (int v = 0; v < TOKENS; v++) {
            if (labels[v] < 0 || labels[v] >= CLUSTERS) {
                throw new IllegalArgumentException("label of token " + v + " is " + labels[v]);
            }
        }
        return new ClusterTable(labels.clone());
    }

    public int label(int token) {
        return labels[token];
    }

    /** Index of {@code token} among the tokens of its cluster (ascending order): what a token draw picks. */
    public int indexInCluster(int token) {
        int index = java.util.Arrays.binarySearch(members[labels[token]], token);
        if (index < 0) {
            throw new IllegalStateException("token " + token + " is missing from its cluster");
        }
        return index;
    }

    /** The tokens of cluster {@code c}, ascending. */
    int[] members(int c) {
        return members[c];
    }
}
