package org.cogview2.libtorch;

import org.cogview2.benchmarks.BaselineEngine;
import org.cogview2.benchmarks.StageBenchmarks.Result;
import org.cogview2.benchmarks.StageBenchmarks.Size;

/**
 * libtorch (PyTorch's CPU library, through DJL's PyTorch engine) as the baseline of {@code cogview2 bench}. It runs
 * offline from the native library packaged on the class path, with as many intra-op threads as the cpu-vector
 * backend uses, so the two sides get the same cores.
 */
public final class LibtorchEngine implements BaselineEngine {

    /** The cpu-vector backend's thread property: the same count is given to libtorch. */
    private static final String VECTOR_THREADS = "cogview2.vector.threads";

    public LibtorchEngine() {
        // DJL reads these when the engine first starts; set them only if the user did not.
        System.setProperty("ai.djl.offline", System.getProperty("ai.djl.offline", "true"));
        String threads = System.getProperty(VECTOR_THREADS, Integer.toString(Runtime.getRuntime().availableProcessors()));
        if (System.getProperty("ai.djl.pytorch.num_threads") == null) {
            System.setProperty("ai.djl.pytorch.num_threads", threads.strip());
        }
        if (System.getProperty("ai.djl.pytorch.num_interop_threads") == null) {
            System.setProperty("ai.djl.pytorch.num_interop_threads", "1");
        }
    }

    @Override
    public String name() {
        return "libtorch";
    }

    @Override
    public Result linear(int m, int n, int k, boolean halfWeights) {
        return LibtorchLinear.measure(m, n, k, halfWeights);
    }

    @Override
    public Result coglm(Size size, int batch) {
        return LibtorchCogLm.benchmark(size, batch);
    }

    @Override
    public Result dsr(Size size) {
        return LibtorchSuperResolution.benchmarkDsr(size);
    }

    @Override
    public Result iterativeSr(Size size) {
        return LibtorchSuperResolution.benchmarkIterativeSr(size);
    }

    @Override
    public Result decode(int side) {
        return LibtorchVqVae.benchmarkDecode(side);
    }

    @Override
    public void close() {
        // Each measurement closes its own NDManager.
    }
}
