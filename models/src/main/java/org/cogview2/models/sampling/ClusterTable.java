package org.cogview2.models.sampling;

import org.cogview2.api.ModelFormatException;
import org.cogview2.checkpoint.npy.NpyArray;

import java.nio.file.Path;
import org.cogview2.spi.Shape;
import org.cogview2.spi.Tensor;
import org.cogview2.spi.TensorScope;
import org.cogview2.spi.sampling.ClusterLabels;

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
    private final int usableTokens;
    /** The usable tokens' labels with each cluster's members: what the sampling functions and kernels read. */
    private final ClusterLabels usable;

    private ClusterTable(int[] labels, int usableTokens) {
        this.labels = labels;
        this.usableTokens = usableTokens;
        this.usable = ClusterLabels.of(Arrays.copyOf(labels, usableTokens), CLUSTERS);
    }

    /**
     * This table for an image tokenizer of {@code codes} codes: only ids {@code 0..codes-1} can be decoded, so only they
     * are sampled (the others get probability 0, in cluster masses and draws alike). The official tokenizer has all
     * 20000 codes, for which this is the table itself; a smaller codebook (the demo set's 8192) leaves the ids past it
     * in the vocabulary, never to be drawn.
     */
    public ClusterTable restrictedTo(int codes) {
        if (codes < 1 || codes > TOKENS) {
            throw new IllegalArgumentException("an image tokenizer has 1.." + TOKENS + " codes, got " + codes);
        }
        return codes == usableTokens ? this : new ClusterTable(labels, codes);
    }

    /** Image ids that may be sampled: {@code 0 .. usableTokens()-1} (20000 unless {@link #restrictedTo restricted}). */
    public int usableTokens() {
        return usableTokens;
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
        return new ClusterTable(labels, TOKENS);
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
        return new ClusterTable(labels.clone(), TOKENS);
    }

    public int label(int token) {
        return labels[token];
    }

    /** Index of {@code token} among the tokens of its cluster (ascending order): what a token draw picks. */
    public int indexInCluster(int token) {
        int index = Arrays.binarySearch(usable.members(labels[token]), token);
        if (index < 0) {
            throw new IllegalStateException("token " + token + " is missing from its cluster");
        }
        return index;
    }

    /** The usable tokens' labels, as the sampling functions of the SPI and the backends' sampling kernels take them. */
    public ClusterLabels usableLabels() {
        return usable;
    }

    /** The usable tokens' labels as an I32 {@code [usableTokens()]} tensor of {@code scope}: upload once per stage run. */
    public Tensor upload(TensorScope scope) {
        return scope.fromInts(Arrays.copyOf(labels, usableTokens), Shape.of(usableTokens));
    }
}
