package org.cogview2.backend.reference;

import org.cogview2.spi.Conv2dSpec;
import org.cogview2.spi.DType;
import org.cogview2.spi.GridContext;
import org.cogview2.spi.PrimitiveKernels;
import org.cogview2.spi.LocalWindow;
import org.cogview2.spi.Tensor;
import org.cogview2.spi.TensorScope;
import org.cogview2.spi.TopK;

/**
 * The reference implementation of every kernel. The code is grouped by family; each family class documents the
 * exact evaluation order of its kernels:
 * <ul>
 *   <li>{@link DenseKernels}: linear, matmul, add, scale, cast;</li>
 *   <li>{@link NormKernels}: layerNorm, groupNorm, gelu, silu, softmax, logSoftmaxGather, topK;</li>
 *   <li>{@link AttentionKernels}: attention, gridAttention, localSimilar, localWeighting;</li>
 *   <li>{@link LookupKernels}: embedding, nearestCode;</li>
 *   <li>{@link ImageKernels}: conv2d, resizeNearest, avgPool2x2;</li>
 *   <li>{@link LayoutKernels}: permute, concat, slice, copyInto.</li>
 * </ul>
 */
final class ReferenceKernels implements PrimitiveKernels {

    private final DenseKernels dense;
    private final NormKernels norm;
    private final AttentionKernels attention;
    private final LookupKernels lookup;
    private final ImageKernels image;
    private final LayoutKernels layout;

    ReferenceKernels(ReferenceBackend backend) {
        this.dense = new DenseKernels(backend);
        this.norm = new NormKernels(backend);
        this.attention = new AttentionKernels(backend);
        this.lookup = new LookupKernels(backend);
        this.image = new ImageKernels(backend);
        this.layout = new LayoutKernels(backend);
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
