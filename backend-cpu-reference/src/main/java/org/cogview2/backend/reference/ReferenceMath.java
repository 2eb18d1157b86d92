package org.cogview2.backend.reference;

import org.cogview2.spi.Conv2dSpec;
import org.cogview2.spi.GridContext;
import org.cogview2.spi.LocalWindow;
import org.cogview2.spi.support.PrimitiveMath;

import java.util.List;

/**
 * The reference math of every kernel, behind the shared argument checks. The code is grouped by family; each family
 * class documents the exact evaluation order of its kernels:
 * <ul>
 *   <li>{@link DenseKernels}: linear, matmul, add, scale, cast;</li>
 *   <li>{@link NormKernels}: layerNorm, groupNorm, gelu, silu, softmax, logSoftmaxGather, topK;</li>
 *   <li>{@link AttentionKernels}: attention, gridAttention, localSimilar, localWeighting;</li>
 *   <li>{@link LookupKernels}: embedding, nearestCode;</li>
 *   <li>{@link ImageKernels}: conv2d, resizeNearest, avgPool2x2;</li>
 *   <li>{@link LayoutKernels}: permute, concat, slice, copyInto.</li>
 * </ul>
 */
final class ReferenceMath implements PrimitiveMath<ReferenceTensor> {

    private final DenseKernels dense;
    private final NormKernels norm;
    private final AttentionKernels attention;
    private final LookupKernels lookup;
    private final ImageKernels image;
    private final LayoutKernels layout = new LayoutKernels();

    ReferenceMath(ReferenceBackend backend) {
        Parallel parallel = backend.parallel();
        this.dense = new DenseKernels(parallel);
        this.norm = new NormKernels(parallel);
        this.attention = new AttentionKernels(parallel);
        this.image = new ImageKernels(parallel);
        this.lookup = new LookupKernels(parallel);
    }

    @Override
    public void linear(ReferenceTensor out, ReferenceTensor x, ReferenceTensor weight, ReferenceTensor bias) {
        dense.linear(out, x, weight, bias);
    }

    @Override
    public void matmul(ReferenceTensor out, ReferenceTensor a, ReferenceTensor b, boolean transposeB) {
        dense.matmul(out, a, b, transposeB);
    }

    @Override
    public void add(ReferenceTensor out, ReferenceTensor a, ReferenceTensor b) {
        dense.add(out, a, b);
    }

    @Override
    public void scale(ReferenceTensor out, ReferenceTensor x, float factor) {
        dense.scale(out, x, factor);
    }

    @Override
    public void cast(ReferenceTensor out, ReferenceTensor x) {
        dense.cast(out, x);
    }

    @Override
    public void layerNorm(ReferenceTensor out, ReferenceTensor x, ReferenceTensor gamma, ReferenceTensor beta, float eps) {
        norm.layerNorm(out, x, gamma, beta, eps);
    }

    @Override
    public void groupNorm(ReferenceTensor out, ReferenceTensor x, int groups, ReferenceTensor gamma,
                          ReferenceTensor beta, float eps) {
        norm.groupNorm(out, x, groups, gamma, beta, eps);
    }

    @Override
    public void gelu(ReferenceTensor out, ReferenceTensor x) {
        norm.gelu(out, x);
    }

    @Override
    public void silu(ReferenceTensor out, ReferenceTensor x) {
        norm.silu(out, x);
    }

    @Override
    public void softmax(ReferenceTensor out, ReferenceTensor scores, ReferenceTensor mask, ReferenceTensor bias) {
        norm.softmax(out, scores, mask, bias);
    }

    @Override
    public void logSoftmaxGather(ReferenceTensor out, ReferenceTensor logits, ReferenceTensor targets) {
        norm.logSoftmaxGather(out, logits, targets);
    }

    @Override
    public void topK(ReferenceTensor values, ReferenceTensor indices, ReferenceTensor x, int k) {
        norm.topK(values, indices, x, k);
    }

    @Override
    public void attention(ReferenceTensor out, ReferenceTensor q, ReferenceTensor k, ReferenceTensor v, int heads,
                          int keyLength, ReferenceTensor mask, ReferenceTensor bias) {
        attention.attention(out, q, k, v, heads, keyLength, mask, bias);
    }

    @Override
    public void gridAttention(ReferenceTensor out, ReferenceTensor q, ReferenceTensor k, ReferenceTensor v, int heads,
                              int side, LocalWindow selfWindow, GridContext context) {
        attention.gridAttention(out, q, k, v, heads, side, selfWindow, context);
    }

    @Override
    public void localSimilar(ReferenceTensor out, ReferenceTensor q, ReferenceTensor k, LocalWindow window) {
        attention.localSimilar(out, q, k, window);
    }

    @Override
    public void localWeighting(ReferenceTensor out, ReferenceTensor weights, ReferenceTensor v, LocalWindow window) {
        attention.localWeighting(out, weights, v, window);
    }

    @Override
    public void embedding(ReferenceTensor out, ReferenceTensor table, ReferenceTensor ids) {
        lookup.embedding(out, table, ids);
    }

    @Override
    public void nearestCode(ReferenceTensor out, ReferenceTensor z, ReferenceTensor codebook) {
        lookup.nearestCode(out, z, codebook);
    }

    @Override
    public void conv2d(ReferenceTensor out, ReferenceTensor x, ReferenceTensor weight, ReferenceTensor bias,
                       Conv2dSpec spec) {
        image.conv2d(out, x, weight, bias, spec);
    }

    @Override
    public void resizeNearest(ReferenceTensor out, ReferenceTensor x) {
        image.resizeNearest(out, x);
    }

    @Override
    public void avgPool2x2(ReferenceTensor out, ReferenceTensor x) {
        image.avgPool2x2(out, x);
    }

    @Override
    public void permute(ReferenceTensor out, ReferenceTensor x, int[] axes) {
        layout.permute(out, x, axes);
    }

    @Override
    public void concat(ReferenceTensor out, int axis, List<ReferenceTensor> parts) {
        layout.concat(out, axis, parts);
    }

    @Override
    public void slice(ReferenceTensor out, ReferenceTensor x, int axis, int start) {
        layout.slice(out, x, axis, start);
    }

    @Override
    public void copyInto(ReferenceTensor dst, int axis, int offset, ReferenceTensor src) {
        layout.copyInto(dst, axis, offset, src);
    }
}
