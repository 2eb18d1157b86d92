package org.cogview2.spi;

/**
 * Kernels of the official code's building blocks that no stage of the pipeline calls: a plain batched matmul,
 * scaling, casts, a masked softmax, top-k (the stages sample with {@link Kernels#sampleClusters} and
 * {@link Kernels#sampleTopK} instead), and the two primitives of Image-Local-Attention ({@code similar},
 * {@code weighting}) that the super-resolution models' fused {@link Kernels#gridAttention} replaces. A backend may
 * offer them (its {@link Backend#kernels()} object implements this interface, and it declares
 * {@link Capability#PRIMITIVE_KERNELS}); the conformance kit then checks them, the local-attention golden cases of
 * the official CUDA extension included, and skips those rules otherwise. They follow the conventions of
 * {@link Kernels}.
 */
public interface PrimitiveKernels extends Kernels {

    /**
     * The primitive kernels of {@code backend}.
     *
     * @throws BackendException if its kernels do not implement this interface
     */
    static PrimitiveKernels of(Backend backend) {
        if (backend.kernels() instanceof PrimitiveKernels p) {
            return p;
        }
        throw new BackendException("backend '" + backend.name() + "' does not offer the primitive kernels ("
                + PrimitiveKernels.class.getName() + "); they are optional, no stage calls them");
    }

    /**
     * Batched matrix product: a {@code [..., M, K]}, b {@code [..., K, N]} (or {@code [..., N, K]} when
     * {@code transposeB}), same leading dimensions; result F32 {@code [..., M, N]}.
     */
    Tensor matmul(TensorScope into, Tensor a, Tensor b, boolean transposeB);

    /** {@code x * factor}. */
    Tensor scale(TensorScope into, Tensor x, float factor);

    /** Rounds a floating tensor to {@code dtype} (round-to-nearest-even) or widens it; integer casts truncate. */
    Tensor cast(TensorScope into, Tensor x, DType dtype);

    /**
     * Softmax over the last dimension of scores {@code [..., Lq, Lk]} after adding {@code bias} and applying the
     * 0/1 {@code mask} (both {@code [Lq, Lk]} or null, broadcast over the leading dimensions).
     */
    Tensor softmax(TensorScope into, Tensor scores, Tensor mask, Tensor bias);

    /** The {@code k} largest entries of every row of x {@code [..., V]}; see {@link TopK} for order and ties. */
    TopK topK(TensorScope into, Tensor x, int k);

    /**
     * The Image-Local-Attention primitive {@code similar}: q F32 {@code [N, ch, Hq, Wq]}, k F32
     * {@code [N, ch, Hk, Wk]} with {@code Hq = a*Hk}, {@code Wq = b*Wk}. Result F32 {@code [N, Hq, Wq, P]},
     * {@code P = window.size()}: for query {@code (r, c)} anchored at {@code (r/a, c/b)}, entry t is
     * {@code sum_ch q[ch][r][c] * k[ch][R+dr(t)][C+dc(t)]} (no scaling), or -10000 outside the key grid.
     */
    Tensor localSimilar(TensorScope into, Tensor q, Tensor k, LocalWindow window);

    /**
     * The primitive {@code weighting}: weights F32 {@code [N, Hq, Wq, P]}, v F32 {@code [N, ch, Hk, Wk]};
     * result F32 {@code [N, ch, Hq, Wq]} with {@code out[ch][r][c] = sum_t w[r][c][t] * v[ch][R+dr(t)][C+dc(t)]}
     * over the entries inside the key grid (outside entries are skipped).
     */
    Tensor localWeighting(TensorScope into, Tensor weights, Tensor v, LocalWindow window);
}
