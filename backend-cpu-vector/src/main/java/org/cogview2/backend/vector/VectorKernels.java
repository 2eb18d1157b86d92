package org.cogview2.backend.vector;

import org.cogview2.spi.Conv2dSpec;
import org.cogview2.spi.DType;
import org.cogview2.spi.GridContext;
import org.cogview2.spi.PrimitiveKernels;
import org.cogview2.spi.LocalWindow;
import org.cogview2.spi.Tensor;
import org.cogview2.spi.TensorScope;
import org.cogview2.spi.TopK;

/**
 * Every kernel of the vector backend, grouped by family: {@link Dense} (linear, matmul, add, scale, cast),
 * {@link Norms} (layerNorm, groupNorm, gelu, silu, softmax, logSoftmaxGather, topK), {@link Attention} (attention,
 * gridAttention, localSimilar, localWeighting), {@link Lookup} (embedding, nearestCode), {@link Images} (conv2d,
 * resizeNearest, avgPool2x2), {@link Layout} (permute, concat, slice, copyInto).
 */
final class VectorKernels implements PrimitiveKernels {

    private final Dense dense;
    private final Norms norms;
    private final Attention attention;
    private final Lookup lookup;
    private final Images images;
    private final Layout layout;

    VectorKernels(VectorBackend backend) {
        this.dense = new Dense(backend);
        this.norms = new Norms(backend);
        this.attention = new Attention(backend);
        this.lookup = new Lookup(backend);
        this.images = new Images(backend);
        this.layout = new Layout(backend);
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
        return norms.layerNorm(into, x, gamma, beta, eps);
    }

    @Override
    public Tensor groupNorm(TensorScope into, Tensor x, int groups, Tensor gamma, Tensor beta, float eps) {
        return norms.groupNorm(into, x, groups, gamma, beta, eps);
    }

    @Override
    public Tensor gelu(TensorScope into, Tensor x) {
        return norms.gelu(into, x);
    }

    @Override
    public Tensor silu(TensorScope into, Tensor x) {
        return norms.silu(into, x);
    }

    @Override
    public Tensor softmax(TensorScope into, Tensor scores, Tensor mask, Tensor bias) {
        return norms.softmax(into, scores, mask, bias);
    }

    @Override
    public Tensor logSoftmaxGather(TensorScope into, Tensor logits, Tensor targets) {
        return norms.logSoftmaxGather(into, logits, targets);
    }

    @Override
    public TopK topK(TensorScope into, Tensor x, int k) {
        return norms.topK(into, x, k);
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
        return images.conv2d(into, x, weight, bias, spec);
    }

    @Override
    public Tensor resizeNearest(TensorScope into, Tensor x, int outH, int outW) {
        return images.resizeNearest(into, x, outH, outW);
    }

    @Override
    public Tensor avgPool2x2(TensorScope into, Tensor x) {
        return images.avgPool2x2(into, x);
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
