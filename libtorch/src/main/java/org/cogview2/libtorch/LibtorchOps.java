package org.cogview2.libtorch;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.ndarray.types.SparseFormat;
import ai.djl.nn.core.Embedding;
import ai.djl.nn.core.Linear;
import org.cogview2.checkpoint.StoredTensor;

import java.util.Map;

/** The libtorch operations every baseline here shares: reading a state-dict entry, linear, embedding, GELU, a draw. */
final class LibtorchOps {

    private static final float GELU_C = (float) 0.7978845608028654;
    private static final float GELU_A = 0.044715f;

    private LibtorchOps() {
    }

    /**
     * One state-dict entry widened (exactly) to fp32 in {@code manager}. libtorch's fast CPU kernels are fp32; its
     * fp16 CPU matmul is a slow fallback, so a PyTorch user on a CPU converts the released checkpoint with
     * {@code .float()}.
     */
    static NDArray tensor(NDManager manager, Map<String, StoredTensor> stateDict, String key) {
        StoredTensor t = stateDict.get(key);
        if (t == null) {
            throw new IllegalArgumentException("state dict has no tensor '" + key + "'");
        }
        int[] dims = t.shape();
        long[] shape = new long[dims.length];
        for (int i = 0; i < dims.length; i++) {
            shape[i] = dims[i];
        }
        return manager.create(t.toFloats(), new Shape(shape));
    }

    /** {@code F.linear(x, W, b)}: one fused addmm. */
    static NDArray linear(NDArray x, NDArray weight, NDArray bias) {
        return Linear.linear(x, weight, bias).singletonOrThrow();
    }

    /** {@code F.linear(x, W)} without bias. */
    static NDArray linear(NDArray x, NDArray weight) {
        return Linear.linear(x, weight).singletonOrThrow();
    }

    /** Rows of {@code table} at int64 {@code ids} (any shape): {@code F.embedding}. */
    static NDArray embedding(NDArray ids, NDArray table) {
        return Embedding.embedding(ids, table, SparseFormat.DENSE).singletonOrThrow();
    }

    /**
     * SAT's tanh GELU {@code 0.5 x (1 + tanh(c x (1 + a x^2)))} (spec 01 §3.7). DJL's {@code Activation.gelu} is
     * libtorch's exact erf GELU, a different function, and DJL does not expose {@code approximate="tanh"}; so it is
     * written op by op, as SAT's {@code mpu/utils.py} writes it. In place only where the overwritten value is a
     * fresh temporary that no backward pass needs (a sum, a product by a constant), so the trainer can
     * differentiate it.
     */
    static NDArray gelu(NDArray x) {
        NDArray inner;
        try (NDArray square = x.square(); NDArray scaled = square.mul(GELU_A)) {
            inner = scaled.addi(1f).mul(x).muli(GELU_C);
        }
        try (NDArray in = inner; NDArray t = in.tanh(); NDArray onePlus = t.add(1f)) {
            return x.mul(onePlus).muli(0.5f);
        }
    }

    /**
     * Inverse-CDF draw per row of non-negative {@code weights} {@code [N, K]} with uniforms {@code u} {@code [N, 1]}:
     * the number of cumulative weights {@code <= u * total}, i.e. the first index whose cumulative weight exceeds
     * it (what {@code torch.multinomial} and our seeded draws do; DJL's PyTorch engine has no multinomial). Clamped
     * to {@code K - 1} against rounding at the top. int64 {@code [N, 1]}.
     */
    static NDArray draw(NDArray weights, NDArray u) {
        NDArray cdf = weights.cumSum(1);
        NDArray threshold = cdf.get(":, -1:").mul(u);
        long last = weights.getShape().get(1) - 1;
        return cdf.lte(threshold).toType(DataType.INT64, false).sum(new int[] {1}, true).minimum(last);
    }
}
