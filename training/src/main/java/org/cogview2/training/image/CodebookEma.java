package org.cogview2.training.image;

import java.util.SplittableRandom;

/**
 * The codebook's exponential-moving-average update (the VQ-VAE-2 / icetk {@code VectorQuantizeEMA} rule, whose
 * buffers {@code quantize.cluster_size} and {@code quantize.embed_avg} the released file carries): each code moves
 * to the running mean of the latents assigned to it. Codes that fall out of use (running count below
 * {@code deadThreshold}) are restarted on a random latent of the current batch, so that the codebook stays in use;
 * the random choice comes from the step's seed, so a resumed run restarts the same codes.
 *
 * <p>Works on plain arrays: {@code clusterSize [K]}, {@code embedAvg [K*D]}, {@code codebook [K*D]} are updated
 * in place.
 */
final class CodebookEma {

    private static final float EPS = 1e-5f;

    private final int codes;
    private final int dim;
    private final float decay;
    private final float deadThreshold;

    CodebookEma(int codes, int dim, float decay, float deadThreshold) {
        this.codes = codes;
        this.dim = dim;
        this.decay = decay;
        this.deadThreshold = deadThreshold;
    }

    /**
     * One update with the batch's latents {@code rows [N*D]} and their nearest codes {@code ids [N]}; returns the
     * number of codes restarted.
     */
    int update(float[] clusterSize, float[] embedAvg, float[] codebook, float[] rows, int[] ids, SplittableRandom random) {
        int n = ids.length;
        float[] counts = new float[codes];
        float[] sums = new float[codes * dim];
        for (int i = 0; i < n; i++) {
            int c = ids[i];
            counts[c] += 1f;
            for (int d = 0; d < dim; d++) {
                sums[c * dim + d] += rows[i * dim + d];
            }
        }
        double total = 0;
        for (int c = 0; c < codes; c++) {
            clusterSize[c] = decay * clusterSize[c] + (1 - decay) * counts[c];
            total += clusterSize[c];
            for (int d = 0; d < dim; d++) {
                embedAvg[c * dim + d] = decay * embedAvg[c * dim + d] + (1 - decay) * sums[c * dim + d];
            }
        }
        int restarted = 0;
        for (int c = 0; c < codes; c++) {
            if (clusterSize[c] < deadThreshold) {
                // A dead code takes a random latent of this batch; its statistics start as one assignment, which
                // gives it about log(threshold)/log(decay) steps to be chosen before it is restarted again.
                int r = random.nextInt(n);
                for (int d = 0; d < dim; d++) {
                    float v = rows[r * dim + d] + (float) (random.nextGaussian() * 1e-3);
                    codebook[c * dim + d] = v;
                    embedAvg[c * dim + d] = v;
                }
                clusterSize[c] = 1f;
                restarted++;
                continue;
            }
            // Laplace smoothing of the counts, as VQ-VAE-2's EMA does, so a rarely used code is never divided by ~0.
            double smoothed = (clusterSize[c] + EPS) / (total + codes * EPS) * total;
            for (int d = 0; d < dim; d++) {
                codebook[c * dim + d] = (float) (embedAvg[c * dim + d] / smoothed);
            }
        }
        return restarted;
    }
}
