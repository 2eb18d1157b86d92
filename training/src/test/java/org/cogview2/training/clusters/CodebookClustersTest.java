package org.cogview2.training.clusters;

import org.cogview2.models.sampling.ClusterTable;
import org.junit.jupiter.api.Test;

import java.util.HashMap;
import java.util.Map;
import java.util.SplittableRandom;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

/** k-means finds well-separated groups of codes, deterministically, and labels every one of the 20000 image ids. */
class CodebookClustersTest {

    @Test
    void separatedGroupsBecomeClustersAndEveryIdGetsALabel() {
        int groups = ClusterTable.CLUSTERS;
        int perGroup = 4;
        int codes = groups * perGroup;
        int dim = 3;
        SplittableRandom r = new SplittableRandom(3);
        float[] book = new float[codes * dim];
        for (int g = 0; g < groups; g++) {
            // Group centres on a coarse lattice (far apart), members within 0.01 of it.
            float[] centre = {g % 8 * 10f, g / 8 % 8 * 10f, g / 64 * 10f};
            for (int m = 0; m < perGroup; m++) {
                int v = g * perGroup + m;
                for (int d = 0; d < dim; d++) {
                    book[v * dim + d] = centre[d] + (float) (r.nextDouble() * 0.01);
                }
            }
        }
        long[] labels = CodebookClusters.labels(book, codes, dim, 30, 1);
        assertEquals(20000, labels.length);
        Map<Long, Integer> clusterOfGroup = new HashMap<>();
        int agree = 0;
        for (int g = 0; g < groups; g++) {
            long first = labels[g * perGroup];
            boolean together = true;
            for (int m = 1; m < perGroup; m++) {
                together &= labels[g * perGroup + m] == first;
            }
            agree += together && clusterOfGroup.putIfAbsent(first, g) == null ? 1 : 0;
        }
        // k-means++ may merge an odd pair of groups and split another; nearly all come out whole and distinct.
        assertEquals(groups, agree, 0.05 * groups);
        for (long l : labels) {
            assertEquals(true, l >= 0 && l < ClusterTable.CLUSTERS);
        }
        assertArrayEquals(labels, CodebookClusters.labels(book, codes, dim, 30, 1), "same seed, same table");
        ClusterTable.of(java.util.Arrays.stream(labels).mapToInt(l -> (int) l).toArray());
    }

    @Test
    void tooFewCodesAreRefused() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> CodebookClusters.labels(new float[10 * 2], 10, 2, 5, 1));
        assertEquals(true, e.getMessage().contains("500"), e.getMessage());
    }
}
