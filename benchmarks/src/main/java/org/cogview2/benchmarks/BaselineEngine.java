package org.cogview2.benchmarks;

import org.cogview2.benchmarks.StageBenchmarks.Result;
import org.cogview2.benchmarks.StageBenchmarks.Size;

/**
 * The stage benchmarks computed by an engine that is not a cogview2 backend (libtorch through DJL), so that
 * {@code cogview2 bench} can print ratios against it measured in the same run. Implementations are found with
 * {@link java.util.ServiceLoader} when their module is on the class path. Each method does the work of the
 * {@link StageBenchmarks} method of the same name, from a state dict of the same shapes built by {@link RandomModels}
 * with the same seed, and returns the same units.
 */
public interface BaselineEngine extends AutoCloseable {

    /** Short name printed in the baseline column, e.g. {@code libtorch}. */
    String name();

    /** {@code y[m,n] = x[m,k] . w[n,k]^T} in fp32 (weights of {@code halfWeights} precision where the engine has it). */
    Result linear(int m, int n, int k, boolean halfWeights);

    Result coglm(Size size, int batch);

    Result dsr(Size size);

    Result iterativeSr(Size size);

    /** VQ-VAE decoding of one {@code side x side} grid (60 in the release: 480x480 pixels). */
    Result decode(int side);

    @Override
    void close();
}
