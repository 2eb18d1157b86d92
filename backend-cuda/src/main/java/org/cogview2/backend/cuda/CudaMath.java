package org.cogview2.backend.cuda;

import org.cogview2.spi.Conv2dSpec;
import org.cogview2.spi.GridContext;
import org.cogview2.spi.LocalWindow;
import org.cogview2.spi.support.PrimitiveMath;

import java.util.List;

/**
 * Every kernel on the GPU. Arguments are checked on the host by {@link org.cogview2.spi.support.CheckedKernels}
 * exactly as the reference backend checks them (same exceptions, same messages), which also allocates the result;
 * the work is one or a few launches of the kernels in {@code src/main/cuda}, writing into that uninitialised result.
 * Only the CUDA-specific limits (launch geometry, shared memory) are checked here, as
 * {@link org.cogview2.spi.BackendException}s. The code is grouped by family as in the reference backend:
 * <ul>
 *   <li>{@link DenseOps}: linear, matmul, add, scale, cast, and the GEMM dispatch shared with conv2d;</li>
 *   <li>{@link NormOps}: layerNorm, groupNorm, gelu, silu, softmax, logSoftmaxGather, topK;</li>
 *   <li>{@link AttentionOps}: attention, gridAttention, localSimilar, localWeighting;</li>
 *   <li>{@link LookupOps}: embedding, nearestCode;</li>
 *   <li>{@link ImageOps}: conv2d, resizeNearest, avgPool2x2;</li>
 *   <li>{@link LayoutOps}: permute, concat, slice, copyInto.</li>
 * </ul>
 */
final class CudaMath implements PrimitiveMath<CudaTensor> {

    private final DenseOps dense;
    private final NormOps norm;
    private final AttentionOps attention;
    private final LookupOps lookup;
    private final ImageOps image;
    private final LayoutOps layout;

    CudaMath(CudaBackend backend) {
        this.dense = new DenseOps(backend);
        this.norm = new NormOps(backend);
        this.attention = new AttentionOps(backend);
        this.lookup = new LookupOps(backend);
        this.image = new ImageOps(backend, dense);
        this.layout = new LayoutOps(backend);
    }

    @Override
    public void linear(CudaTensor out, CudaTensor x, CudaTensor weight, CudaTensor bias) {
        dense.linear(out, x, weight, bias);
    }

    @Override
    public void matmul(CudaTensor out, CudaTensor a, CudaTensor b, boolean transposeB) {
        dense.matmul(out, a, b, transposeB);
    }

    @Override
    public void add(CudaTensor out, CudaTensor a, CudaTensor b) {
        dense.add(out, a, b);
    }

    @Override
    public void scale(CudaTensor out, CudaTensor x, float factor) {
        dense.scale(out, x, factor);
    }

    @Override
    public void cast(CudaTensor out, CudaTensor x) {
        dense.cast(out, x);
    }

    @Override
    public void layerNorm(CudaTensor out, CudaTensor x, CudaTensor gamma, CudaTensor beta, float eps) {
        norm.layerNorm(out, x, gamma, beta, eps);
    }

    @Override
    public void groupNorm(CudaTensor out, CudaTensor x, int groups, CudaTensor gamma, CudaTensor beta, float eps) {
        norm.groupNorm(out, x, groups, gamma, beta, eps);
    }

    @Override
    public void gelu(CudaTensor out, CudaTensor x) {
        norm.gelu(out, x);
    }

    @Override
    public void silu(CudaTensor out, CudaTensor x) {
        norm.silu(out, x);
    }

    @Override
    public void softmax(CudaTensor out, CudaTensor scores, CudaTensor mask, CudaTensor bias) {
        norm.softmax(out, scores, mask, bias);
    }

    @Override
    public void logSoftmaxGather(CudaTensor out, CudaTensor logits, CudaTensor targets) {
        norm.logSoftmaxGather(out, logits, targets);
    }

    @Override
    public void topK(CudaTensor values, CudaTensor indices, CudaTensor x, int k) {
        norm.topK(values, indices, x, k);
    }

    @Override
    public void attention(CudaTensor out, CudaTensor q, CudaTensor k, CudaTensor v, int heads, int keyLength,
                          CudaTensor mask, CudaTensor bias) {
        attention.attention(out, q, k, v, heads, keyLength, mask, bias);
    }

    @Override
    public void gridAttention(CudaTensor out, CudaTensor q, CudaTensor k, CudaTensor v, int heads, int side,
                              LocalWindow selfWindow, GridContext context) {
        attention.gridAttention(out, q, k, v, heads, side, selfWindow, context);
    }

    @Override
    public void localSimilar(CudaTensor out, CudaTensor q, CudaTensor k, LocalWindow window) {
        attention.localSimilar(out, q, k, window);
    }

    @Override
    public void localWeighting(CudaTensor out, CudaTensor weights, CudaTensor v, LocalWindow window) {
        attention.localWeighting(out, weights, v, window);
    }

    @Override
    public void embedding(CudaTensor out, CudaTensor table, CudaTensor ids) {
        lookup.embedding(out, table, ids);
    }

    @Override
    public void nearestCode(CudaTensor out, CudaTensor z, CudaTensor codebook) {
        lookup.nearestCode(out, z, codebook);
    }

    @Override
    public void conv2d(CudaTensor out, CudaTensor x, CudaTensor weight, CudaTensor bias, Conv2dSpec spec) {
        image.conv2d(out, x, weight, bias, spec);
    }

    @Override
    public void resizeNearest(CudaTensor out, CudaTensor x) {
        image.resizeNearest(out, x);
    }

    @Override
    public void avgPool2x2(CudaTensor out, CudaTensor x) {
        image.avgPool2x2(out, x);
    }

    @Override
    public void permute(CudaTensor out, CudaTensor x, int[] axes) {
        layout.permute(out, x, axes);
    }

    @Override
    public void concat(CudaTensor out, int axis, List<CudaTensor> parts) {
        layout.concat(out, axis, parts);
    }

    @Override
    public void slice(CudaTensor out, CudaTensor x, int axis, int start) {
        layout.slice(out, x, axis, start);
    }

    @Override
    public void copyInto(CudaTensor dst, int axis, int offset, CudaTensor src) {
        layout.copyInto(dst, axis, offset, src);
    }
}
