package org.cogview2.libtorch;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import org.cogview2.benchmarks.StageBenchmarks;
import org.cogview2.benchmarks.StageBenchmarks.Result;

import java.util.SplittableRandom;

/**
 * {@code y = x . w^T} the way {@code torch.nn.functional.linear} does it on a CPU: {@code x.matMul(w.transpose())},
 * where the transpose is a view and libtorch hands its BLAS a transposed operand. Weights are fp32 even when the
 * cogview2 side uses fp16: libtorch has no fast fp16 GEMM on CPUs, so fp32 is its best case.
 */
final class LibtorchLinear {

    private LibtorchLinear() {
    }

    static Result measure(int m, int n, int k, boolean halfWeights) {
        SplittableRandom r = new SplittableRandom(6);
        float[] xv = new float[m * k];
        for (int i = 0; i < xv.length; i++) {
            xv[i] = (float) r.nextGaussian();
        }
        float[] wv = new float[n * k];
        for (int i = 0; i < wv.length; i++) {
            wv[i] = (float) (r.nextGaussian() * 0.02);
        }
        try (NDManager manager = NDManager.newBaseManager("PyTorch")) {
            NDArray x = manager.create(xv, new Shape(m, k));
            NDArray wt = manager.create(wv, new Shape(n, k)).transpose();
            double best = StageBenchmarks.timeBest(() -> x.matMul(wt).close());
            return new Result("linear " + m + "x" + n + "x" + k + (halfWeights ? " fp16 weights (libtorch: fp32)" : " fp32"),
                    best, 2.0 * m * n * k / 1e9, "GFLOP", 1);
        }
    }
}
