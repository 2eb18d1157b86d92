package org.cogview2.conformance.rules;

import org.cogview2.conformance.CaseContext;
import org.cogview2.conformance.ComparisonResult;
import org.cogview2.conformance.HostTensor;
import org.cogview2.conformance.KernelOp;
import org.cogview2.conformance.Rule;
import org.cogview2.conformance.Tolerances;
import org.cogview2.spi.sampling.ClusterSampling;
import org.cogview2.spi.sampling.RowDraws;

import java.util.List;

/**
 * sampleClusters and sampleTopK: every backend must draw exactly the ids of the SPI's host definition (which the
 * reference backend runs), for seeded and greedy draws, whatever its threads or batching.
 */
final class SamplingRules {

    private SamplingRules() {
    }

    static List<Rule> rules() {
        return List.of(
                Rule.builder("sampleClusters_draws_the_ids_of_the_host_definition", "sampleClusters")
                        .description("row m's id is ClusterSampler.choose(row m, labels, sampling, draws.picker(m))"
                                + ".token(): temperature, cluster masses, top clusters, second temperature, two Philox"
                                + " draws keyed by (sample, step).")
                        .tolerance(Tolerances.EXACT)
                        .check("stage 1: logits[12,2000] 50 clusters, T 1.15, top 16", c ->
                                clusters(c, 12, 2000, 2000, 50, new ClusterSampling(1.15f, 16, 1f), false))
                        .check("DSR: logits[40,1200] of which 1000 usable, 500 clusters, top 100, T2 0.89", c ->
                                clusters(c, 40, 1200, 1000, 500, new ClusterSampling(1f, 100, 0.89f), false))
                        .check("greedy: logits[8,600] 20 clusters", c ->
                                clusters(c, 8, 600, 600, 20, new ClusterSampling(1.15f, 16, 1f), true))
                        .build(),
                Rule.builder("sampleTopK_draws_the_ids_of_the_host_definition", "sampleTopK")
                        .description("row m's id is TopKSampler.choose(row m, V, k, draws.picker(m)): tokens at least"
                                + " the k-th largest logit kept (ties at the threshold kept), softmax, one Philox draw.")
                        .tolerance(Tolerances.EXACT)
                        .check("logits[16,3000] k=200", c -> topK(c, c.normal(2, 16, 3000), 200, false))
                        .check("ties: logits[10,400] of 6 distinct values, k=5", c -> {
                            float[] v = new float[10 * 400];
                            for (int i = 0; i < v.length; i++) {
                                v[i] = c.random().nextInt(6) * 0.75f;
                            }
                            return topK(c, HostTensor.f32(new int[]{10, 400}, v), 5, false);
                        })
                        .check("greedy: logits[6,500] k=50", c -> topK(c, c.normal(2, 6, 500), 50, true))
                        .build());
    }

    private static RowDraws draws(CaseContext c, int rows, boolean greedy) {
        long[] samples = new long[rows];
        int[] steps = new int[rows];
        for (int r = 0; r < rows; r++) {
            samples[r] = c.random().nextInt(64);
            steps[r] = c.random().nextInt(3600);
        }
        return new RowDraws(c.random().nextLong(), greedy, samples, steps);
    }

    private static List<ComparisonResult> clusters(CaseContext c, int rows, int columns, int usable, int clusters,
                                                   ClusterSampling sampling, boolean greedy) {
        int[] labels = new int[usable];
        for (int v = 0; v < usable; v++) {
            // Cluster sizes vary as in the official table; some clusters stay empty.
            labels[v] = (int) (Math.abs(c.random().nextGaussian()) * clusters / 3) % clusters;
        }
        RowDraws draws = draws(c, rows, greedy);
        // Sharp logits, as a trained model's: the draws are not decided by near-uniform noise alone.
        HostTensor logits = c.normal(3, rows, columns);
        return c.compare(KernelOp.single((k, s, in) -> k.sampleClusters(s, in[0], in[1], clusters, sampling, draws)),
                logits, HostTensor.i32(new int[]{usable}, labels));
    }

    private static List<ComparisonResult> topK(CaseContext c, HostTensor logits, int k, boolean greedy) {
        RowDraws draws = draws(c, logits.shape()[0], greedy);
        return c.compare(KernelOp.single((kernels, s, in) -> kernels.sampleTopK(s, in[0], k, draws)), logits);
    }
}
