package org.cogview2.backend.vector.bench.djl;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import org.cogview2.backend.vector.bench.GemmImpl;
import org.cogview2.backend.vector.bench.GemmShape;

/**
 * {@code x.matMul(w.transpose())} on libtorch (CPU) through DJL's PyTorch engine, fp32 like the Java runs. The
 * transpose is a view: libtorch calls its BLAS with a transposed operand, as {@code torch.nn.functional.linear} does.
 */
public final class LibtorchGemm implements GemmImpl {

    private final NDManager manager;
    private NDArray x;
    private NDArray wt;

    public LibtorchGemm(int threads) {
        // Intra-op threads of libtorch, the same count as the Java backends get (read when the engine starts).
        System.setProperty("ai.djl.pytorch.num_threads", Integer.toString(threads));
        System.setProperty("ai.djl.pytorch.num_interop_threads", "1");
        manager = NDManager.newBaseManager("PyTorch");
    }

    @Override
    public void setup(GemmShape s, float[] xValues, float[] wValues) {
        x = manager.create(xValues, new Shape(s.m(), s.k()));
        wt = manager.create(wValues, new Shape(s.n(), s.k())).transpose();
    }

    @Override
    public Object run() {
        try (NDArray y = x.matMul(wt)) {
            return y.getShape();
        }
    }

    @Override
    public void close() {
        manager.close();
    }
}
