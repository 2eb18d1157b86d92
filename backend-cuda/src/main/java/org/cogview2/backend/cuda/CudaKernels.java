package org.cogview2.backend.cuda;

import org.cogview2.spi.Conv2dSpec;
import org.cogview2.spi.DType;
import org.cogview2.spi.GridContext;
import org.cogview2.spi.PrimitiveKernels;
import org.cogview2.spi.LocalWindow;
import org.cogview2.spi.Tensor;
import org.cogview2.spi.TensorScope;
import org.cogview2.spi.TopK;

/**
 * Every kernel on the GPU. Arguments are checked on the host exactly as the reference backend checks them (same
 * exceptions, same messages); the work is one or a few launches of the kernels in {@code src/main/cuda}. The code is
 * grouped by family as in the reference backend:
 * <ul>
 *   <li>{@link DenseOps}: linear, matmul, add, scale, cast, and the GEMM dispatch shared with conv2d;</li>
 *   <li>{@link NormOps}: layerNorm, groupNorm, gelu, silu, softmax, logSoftmaxGather, topK;</li>
 *   <li>{@link AttentionOps}: attention, gridAttention, localSimilar, localWeighting;</li>
 *   <li>{@link LookupOps}: embedding, nearestCode;</li>
 *   <li>{@link ImageOps}: conv2d, resizeNearest, avgPool2x2;</li>
 *   <li>{@link LayoutOps}: permute, concat, slice, copyInto.</li>
 * </ul>
 */
final class CudaKernels implements PrimitiveKernels {

    private final DenseOps dense;
    private final NormOps norm;
    private final AttentionOps attention;
    private final LookupOps lookup;
    private final ImageOps image;
    private final LayoutOps layout;

    CudaKernels(CudaBackend backend) {
        this.dense = new DenseOps(backend);
        this.norm = new NormOps(backend);
        this.attention = new AttentionOps(backend);
        this.lookup = new LookupOps(backend);
        this.image = new ImageOps(backend, dense);
        this.layout = new LayoutOps(backend);
    }

    @Override
    public Tensor linear(TensorScope into, Tensor x, Tensor weight, Tensor bias) {
        return dense.linear(into, x, weight, bias);
    }

    @Override
    public Tensor matmul(TensorScope into, Tensor a, Tensor b, boolean transposeB) {
        return dense.matmul(into, a, b, transposeB);
    }

    @Override
    public Tensor add(TensorScope into, Tensor a, Tensor b) {
        return dense.add(into, a, b);
    }

    @Override
    public Tensor scale(TensorScope into, Tensor x, float factor) {
        return dense.scale(into, x, factor);
    }

    @Override
    public Tensor cast(TensorScope into, Tensor x, DType dtype) {
        return dense.cast(into, x, dtype);
    }

    @Override
    public Tensor layerNorm(TensorScope into, Tensor x, Tensor gamma, Tensor beta, float eps) {
        return norm.layerNorm(into, x, gamma, beta, eps);
    }

    @Override
    public Tensor groupNorm(TensorScope into, Tensor x, int groups, Tensor gamma, Tensor beta, float eps) {
        return norm.groupNorm(into, x, groups, gamma, beta, eps);
    }

    @Override
    public Tensor gelu(TensorScope into, Tensor x) {
        return norm.gelu(into, x);
    }

    @Override
    public Tensor silu(TensorScope into, Tensor x) {
        return norm.silu(into, x);
    }

    @Override
    public Tensor softmax(TensorScope into, Tensor scores, Tensor mask, Tensor bias) {
        return norm.softmax(into, scores, mask, bias);
    }

    @Override
    public Tensor logSoftmaxGather(TensorScope into, Tensor logits, Tensor targets) {
        return norm.logSoftmaxGather(into, logits, targets);
    }

    @Override
    public TopK topK(TensorScope into, Tensor x, int k) {
        return norm.topK(into, x, k);
    }

    @Override
    public Tensor attention(TensorScope into, Tensor q, Tensor k, Tensor v, int heads, int keyLength, Tensor mask,
                            Tensor bias) {
        return attention.attention(into, q, k, v, heads, keyLength, mask, bias);
    }

    @Override
    public Tensor gridAttention(TensorScope into, Tensor q, Tensor k, Tensor v, int heads, int side,
                                LocalWindow selfWindow, GridContext context) {
        return attention.gridAttention(into, q, k, v, heads, side, selfWindow, context);
    }

    @Override
    public Tensor localSimilar(TensorScope into, Tensor q, Tensor k, LocalWindow window) {
        return attention.localSimilar(into, q, k, window);
    }

    @Override
    public Tensor localWeighting(TensorScope into, Tensor weights, Tensor v, LocalWindow window) {
        return attention.localWeighting(into, weights, v, window);
    }

    @Override
    public Tensor embedding(TensorScope into, Tensor table, Tensor ids) {
        return lookup.embedding(into, table, ids);
    }

    @Override
    public Tensor nearestCode(TensorScope into, Tensor z, Tensor codebook) {
        return lookup.nearestCode(into, z, codebook);
    }

    @Override
    public Tensor conv2d(TensorScope into, Tensor x, Tensor weight, Tensor bias, Conv2dSpec spec) {
        return image.conv2d(into, x, weight, bias, spec);
    }

    @Override
    public Tensor resizeNearest(TensorScope into, Tensor x, int outH, int outW) {
        return image.resizeNearest(into, x, outH, outW);
    }

    @Override
    public Tensor avgPool2x2(TensorScope into, Tensor x) {
        return image.avgPool2x2(into, x);
    }

    @Override
    public Tensor permute(TensorScope into, Tensor x, int... axes) {
        return layout.permute(into, x, axes);
    }

    @Override
    public Tensor concat(TensorScope into, int dim, Tensor... parts) {
        return layout.concat(into, dim, parts);
    }

    @Override
    public Tensor slice(TensorScope into, Tensor x, int dim, int start, int length) {
        return layout.slice(into, x, dim, start, length);
    }

    @Override
    public void copyInto(Tensor dst, int dim, int offset, Tensor src) {
        layout.copyInto(dst, dim, offset, src);
    }
}
