package org.cogview2.backend.vector;

import org.cogview2.spi.Conv2dSpec;
import org.cogview2.spi.GridContext;
import org.cogview2.spi.LocalWindow;
import org.cogview2.spi.support.CheckedKernels;
import org.cogview2.spi.support.PrimitiveMath;

import java.util.List;

/**
 * Every kernel of the vector backend as unchecked, destination-passing math (the arguments are checked and the
 * result allocated by {@link CheckedKernels}), grouped by family: {@link Dense} (linear, matmul, add, scale, cast),
 * {@link Norms} (layerNorm, groupNorm, gelu, silu, softmax, logSoftmaxGather, topK), {@link Attention} (attention,
 * gridAttention, localSimilar, localWeighting), {@link Lookup} (embedding, nearestCode), {@link Images} (conv2d,
 * resizeNearest, avgPool2x2), {@link Layout} (permute, concat, slice, copyInto).
 */
final class VectorMath implements PrimitiveMath<VTensor> {

    private final Dense dense;
    private final Norms norms;
    private final Attention attention;
    private final Lookup lookup;
    private final Images images;
    private final Layout layout;

    VectorMath(VectorBackend backend) {
        this.dense = new Dense(backend);
        this.norms = new Norms(backend);
        this.attention = new Attention(backend);
        this.lookup = new Lookup(backend);
        this.images = new Images(backend);
        this.layout = new Layout();
    }

    @Override
    public void linear(VTensor out, VTensor x, VTensor weight, VTensor bias) {
        dense.linear(out, x, weight, bias);
    }

    @Override
    public void matmul(VTensor out, VTensor a, VTensor b, boolean transposeB) {
        dense.matmul(out, a, b, transposeB);
    }

    @Override
    public void add(VTensor out, VTensor a, VTensor b) {
        dense.add(out, a, b);
    }

    @Override
    public void scale(VTensor out, VTensor x, float factor) {
        dense.scale(out, x, factor);
    }

    @Override
    public void cast(VTensor out, VTensor x) {
        dense.cast(out, x);
    }

    @Override
    public void layerNorm(VTensor out, VTensor x, VTensor gamma, VTensor beta, float eps) {
        norms.layerNorm(out, x, gamma, beta, eps);
    }

    @Override
    public void groupNorm(VTensor out, VTensor x, int groups, VTensor gamma, VTensor beta, float eps) {
        norms.groupNorm(out, x, groups, gamma, beta, eps);
    }

    @Override
    public void gelu(VTensor out, VTensor x) {
        norms.gelu(out, x);
    }

    @Override
    public void silu(VTensor out, VTensor x) {
        norms.silu(out, x);
    }

    @Override
    public void softmax(VTensor out, VTensor scores, VTensor mask, VTensor bias) {
        norms.softmax(out, scores, mask, bias);
    }

    @Override
    public void logSoftmaxGather(VTensor out, VTensor logits, VTensor targets) {
        norms.logSoftmaxGather(out, logits, targets);
    }

    @Override
    public void topK(VTensor values, VTensor indices, VTensor x, int k) {
        norms.topK(values, indices, x, k);
    }

    @Override
    public void attention(VTensor out, VTensor q, VTensor k, VTensor v, int heads, int keyLength, VTensor mask,
                          VTensor bias) {
        attention.attention(out, q, k, v, heads, keyLength, mask, bias);
    }

    @Override
    public void gridAttention(VTensor out, VTensor q, VTensor k, VTensor v, int heads, int side,
                              LocalWindow selfWindow, GridContext context) {
        attention.gridAttention(out, q, k, v, heads, side, selfWindow, context);
    }

    @Override
    public void localSimilar(VTensor out, VTensor q, VTensor k, LocalWindow window) {
        attention.localSimilar(out, q, k, window);
    }

    @Override
    public void localWeighting(VTensor out, VTensor weights, VTensor v, LocalWindow window) {
        attention.localWeighting(out, weights, v, window);
    }

    @Override
    public void embedding(VTensor out, VTensor table, VTensor ids) {
        lookup.embedding(out, table, ids);
    }

    @Override
    public void nearestCode(VTensor out, VTensor z, VTensor codebook) {
        lookup.nearestCode(out, z, codebook);
    }

    @Override
    public void conv2d(VTensor out, VTensor x, VTensor weight, VTensor bias, Conv2dSpec spec) {
        images.conv2d(out, x, weight, bias, spec);
    }

    @Override
    public void resizeNearest(VTensor out, VTensor x) {
        images.resizeNearest(out, x);
    }

    @Override
    public void avgPool2x2(VTensor out, VTensor x) {
        images.avgPool2x2(out, x);
    }

    @Override
    public void permute(VTensor out, VTensor x, int[] axes) {
        layout.permute(out, x, axes);
    }

    @Override
    public void concat(VTensor out, int axis, List<VTensor> parts) {
        layout.concat(out, axis, parts);
    }

    @Override
    public void slice(VTensor out, VTensor x, int axis, int start) {
        layout.slice(out, x, axis, start);
    }

    @Override
    public void copyInto(VTensor dst, int axis, int offset, VTensor src) {
        layout.copyInto(dst, axis, offset, src);
    }
}
