package org.cogview2.conformance;

import org.cogview2.spi.Conv2dSpec;
import org.cogview2.spi.DType;
import org.cogview2.spi.GridContext;
import org.cogview2.spi.Kernels;
import org.cogview2.spi.LocalWindow;
import org.cogview2.spi.PrimitiveKernels;
import org.cogview2.spi.Tensor;
import org.cogview2.spi.TensorScope;
import org.cogview2.spi.TopK;
import org.cogview2.spi.sampling.ClusterSampling;
import org.cogview2.spi.sampling.RowDraws;

/**
 * Kernels that forward every call, the primitive ones included, to the reference backend's; tests override one
 * kernel to break it on purpose.
 */
class DelegatingKernels implements PrimitiveKernels {

    final PrimitiveKernels delegate;

    DelegatingKernels(Kernels delegate) {
        this.delegate = (PrimitiveKernels) delegate;
    }

    @Override
    public Tensor linear(TensorScope into, Tensor x, Tensor weight, Tensor bias) {
        return delegate.linear(into, x, weight, bias);
    }

    @Override
    public Tensor matmul(TensorScope into, Tensor a, Tensor b, boolean transposeB) {
        return delegate.matmul(into, a, b, transposeB);
    }

    @Override
    public Tensor add(TensorScope into, Tensor a, Tensor b) {
        return delegate.add(into, a, b);
    }

    @Override
    public Tensor scale(TensorScope into, Tensor x, float factor) {
        return delegate.scale(into, x, factor);
    }

    @Override
    public Tensor cast(TensorScope into, Tensor x, DType dtype) {
        return delegate.cast(into, x, dtype);
    }

    @Override
    public Tensor layerNorm(TensorScope into, Tensor x, Tensor gamma, Tensor beta, float eps) {
        return delegate.layerNorm(into, x, gamma, beta, eps);
    }

    @Override
    public Tensor groupNorm(TensorScope into, Tensor x, int groups, Tensor gamma, Tensor beta, float eps) {
        return delegate.groupNorm(into, x, groups, gamma, beta, eps);
    }

    @Override
    public Tensor gelu(TensorScope into, Tensor x) {
        return delegate.gelu(into, x);
    }

    @Override
    public Tensor silu(TensorScope into, Tensor x) {
        return delegate.silu(into, x);
    }

    @Override
    public Tensor softmax(TensorScope into, Tensor scores, Tensor mask, Tensor bias) {
        return delegate.softmax(into, scores, mask, bias);
    }

    @Override
    public Tensor logSoftmaxGather(TensorScope into, Tensor logits, Tensor targets) {
        return delegate.logSoftmaxGather(into, logits, targets);
    }

    @Override
    public TopK topK(TensorScope into, Tensor x, int k) {
        return delegate.topK(into, x, k);
    }

    @Override
    public Tensor sampleClusters(TensorScope into, Tensor logits, Tensor labels, int clusters, ClusterSampling sampling,
                                 RowDraws draws) {
        return delegate.sampleClusters(into, logits, labels, clusters, sampling, draws);
    }

    @Override
    public Tensor sampleTopK(TensorScope into, Tensor logits, int k, RowDraws draws) {
        return delegate.sampleTopK(into, logits, k, draws);
    }

    @Override
    public Tensor attention(TensorScope into, Tensor q, Tensor k, Tensor v, int heads, int keyLength, Tensor mask,
                            Tensor bias) {
        return delegate.attention(into, q, k, v, heads, keyLength, mask, bias);
    }

    @Override
    public Tensor gridAttention(TensorScope into, Tensor q, Tensor k, Tensor v, int heads, int side,
                                LocalWindow selfWindow, GridContext context) {
        return delegate.gridAttention(into, q, k, v, heads, side, selfWindow, context);
    }

    @Override
    public Tensor localSimilar(TensorScope into, Tensor q, Tensor k, LocalWindow window) {
        return delegate.localSimilar(into, q, k, window);
    }

    @Override
    public Tensor localWeighting(TensorScope into, Tensor weights, Tensor v, LocalWindow window) {
        return delegate.localWeighting(into, weights, v, window);
    }

    @Override
    public Tensor embedding(TensorScope into, Tensor table, Tensor ids) {
        return delegate.embedding(into, table, ids);
    }

    @Override
    public Tensor nearestCode(TensorScope into, Tensor z, Tensor codebook) {
        return delegate.nearestCode(into, z, codebook);
    }

    @Override
    public Tensor conv2d(TensorScope into, Tensor x, Tensor weight, Tensor bias, Conv2dSpec spec) {
        return delegate.conv2d(into, x, weight, bias, spec);
    }

    @Override
    public Tensor resizeNearest(TensorScope into, Tensor x, int outH, int outW) {
        return delegate.resizeNearest(into, x, outH, outW);
    }

    @Override
    public Tensor avgPool2x2(TensorScope into, Tensor x) {
        return delegate.avgPool2x2(into, x);
    }

    @Override
    public Tensor permute(TensorScope into, Tensor x, int... axes) {
        return delegate.permute(into, x, axes);
    }

    @Override
    public Tensor concat(TensorScope into, int dim, Tensor... parts) {
        return delegate.concat(into, dim, parts);
    }

    @Override
    public Tensor slice(TensorScope into, Tensor x, int dim, int start, int length) {
        return delegate.slice(into, x, dim, start, length);
    }

    @Override
    public void copyInto(Tensor dst, int dim, int offset, Tensor src) {
        delegate.copyInto(dst, dim, offset, src);
    }
}
