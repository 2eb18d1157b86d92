package org.cogview2.models.sampling;

import org.cogview2.spi.sampling.ClusterChoice;
import org.cogview2.spi.sampling.ClusterSampler;
import org.cogview2.spi.sampling.DrawPurpose;
import org.cogview2.spi.sampling.Philox;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

class SamplingTest {

    @Test
    void philox_matches_the_published_known_answer() {
        // Random123 known-answer test for philox4x32_10 with counter = key = 0.
        int[] r = Philox.block(0L, 0, 0, 0, 0);
        assertArrayEquals(new int[]{0x6627e8d5, 0xe169c58d, 0xbc57ac4c, 0x9b00dbd8}, r);
        // ... and for the digits of pi (counter) under key (0xa4093822, 0x299f31d0).
        int[] pi = Philox.block((0x299f31d0L << 32) | 0xa4093822L, 0x243f6a88, 0x85a308d3, 0x13198a2e, 0x03707344);
        assertArrayEquals(new int[]{0xd16cfe09, 0x94fdcceb, 0x5001e420, 0x24126ea1}, pi);
    }

    @Test
    void seeded_draws_depend_only_on_seed_sample_step_and_purpose() {
        float[] w = new float[100];
        java.util.Arrays.fill(w, 1f);
        DrawSource a = DrawSource.seeded(7);
        DrawSource b = DrawSource.seeded(7);
        int first = a.draw(3, 11, DrawPurpose.TOKEN, w, 100);
        // Other draws in between (another batch layout) do not change it.
        b.draw(0, 0, DrawPurpose.TOKEN, w, 100);
        b.draw(2, 11, DrawPurpose.CLUSTER, w, 100);
        assertEquals(first, b.draw(3, 11, DrawPurpose.TOKEN, w, 100));
        int differ = 0;
        for (int s = 0; s < 20; s++) {
            if (a.draw(s, 11, DrawPurpose.TOKEN, w, 100) != DrawSource.seeded(8).draw(s, 11, DrawPurpose.TOKEN, w, 100)) {
                differ++;
            }
        }
        assertTrue(differ > 10, "different seeds should give different draws");
    }

    @Test
    void seeded_draws_follow_the_distribution_and_never_pick_zero_weight() {
        float[] w = {0f, 1f, 3f, 0f};
        int[] counts = new int[4];
        DrawSource d = DrawSource.seeded(42);
        for (int i = 0; i < 20000; i++) {
            counts[d.draw(i, 0, DrawPurpose.TOKEN, w, 4)]++;
        }
        assertEquals(0, counts[0]);
        assertEquals(0, counts[3]);
        assertEquals(0.75, counts[2] / 20000.0, 0.02);
    }

    @Test
    void top_k_is_descending_with_lower_index_first_on_ties() {
        float[] v = {1f, 5f, 3f, 5f, 2f};
        assertArrayEquals(new int[]{1, 3, 2}, ClusterSampler.topIndices(v, v.length, 3));
    }

    @Test
    void cluster_strategy_only_picks_tokens_of_the_drawn_cluster() {
        int[] labels = new int[ClusterTable.TOKENS];
        for (int v = 0; v < labels.length; v++) {
            labels[v] = v % ClusterTable.CLUSTERS;
        }
        ClusterTable table = ClusterTable.of(labels);
        float[] logits = new float[ClusterTable.TOKENS];
        logits[7] = 20f;          // cluster 7 dominates
        logits[7 + 500] = 19f;    // same cluster
        logits[8] = 5f;
        ClusterStrategy strategy = new ClusterStrategy(table, 1f, 16, 1f);
        ClusterChoice mode = strategy.choose(logits, 0, 0, 0, DrawSource.mode());
        assertEquals(7, mode.token());
        assertEquals(7, mode.cluster());
        assertEquals(0, mode.clusterRank());
        assertEquals(40, mode.support());
        assertEquals(16, mode.clusterProbs().length);
        assertTrue(mode.clusterProbs()[0] > 0.99f);
        for (int s = 0; s < 50; s++) {
            ClusterChoice c = strategy.choose(logits, 0, s, 0, DrawSource.seeded(1));
            assertEquals(c.cluster(), labels[c.token()]);
        }
    }

    @Test
    void top_k_strategy_keeps_ties_at_the_threshold_and_samples_inside_the_top() {
        float[] logits = {0f, 9f, 8f, 8f, 1f};
        for (int s = 0; s < 200; s++) {
            int t = TopKStrategy.choose(logits, 0, 5, 2, s, 0, DrawSource.seeded(3));
            assertTrue(t == 1 || t == 2 || t == 3, "token " + t + " is outside the top 2 (with ties)");
        }
        assertEquals(1, TopKStrategy.choose(logits, 0, 5, 2, 0, 0, DrawSource.mode()));
        assertNotEquals(0, TopKStrategy.choose(logits, 0, 5, 1, 0, 0, DrawSource.seeded(3)));
    }

    @Test
    void a_restricted_table_never_draws_ids_past_the_codebook() {
        int[] labels = new int[ClusterTable.TOKENS];
        for (int v = 0; v < labels.length; v++) {
            labels[v] = v % ClusterTable.CLUSTERS;
        }
        ClusterTable table = ClusterTable.of(labels).restrictedTo(8192);
        assertEquals(8192, table.usableTokens());
        float[] logits = new float[ClusterTable.TOKENS];
        // The ids past the codebook are the most likely by far; they must still never come out.
        java.util.Arrays.fill(logits, 8192, ClusterTable.TOKENS, 20f);
        logits[17] = 3f;
        ClusterStrategy strategy = new ClusterStrategy(table, 1f, 16, 1f);
        for (int s = 0; s < 200; s++) {
            int t = strategy.choose(logits, 0, s, 0, DrawSource.seeded(5)).token();
            assertTrue(t < 8192, "drew " + t);
        }
        assertEquals(17, strategy.choose(logits, 0, 0, 0, DrawSource.mode()).token());
        assertEquals(table, table.restrictedTo(8192), "restricting again to the same size changes nothing");
    }
}
