package org.cogview2.backend.template;

import org.cogview2.spi.Conv2dSpec;
import org.cogview2.spi.GridContext;
import org.cogview2.spi.LocalWindow;
import org.cogview2.spi.sampling.ClusterLabels;
import org.cogview2.spi.sampling.ClusterSampling;
import org.cogview2.spi.sampling.RowDraws;
import org.cogview2.spi.support.KernelMath;

import java.lang.foreign.MemorySegment;
import java.util.List;

/**
 * The kernels as unchecked, destination-passing math. {@link org.cogview2.spi.support.CheckedKernels} calls a method
 * only after every argument check passed, so a method may assume live tensors of this backend with the dtypes and
 * shapes of the {@link org.cogview2.spi.Kernels} javadoc, and must write every element of {@code out}.
 *
 * <p>Three kernels are computed here: {@code add}, {@code gelu} and {@code silu}, as simple loops that follow the
 * reference's evaluation order ({@code DenseKernels}, {@code NormKernels} in backend-cpu-reference), so they agree
 * with it bit for bit. Every other kernel is one line delegating to the reference backend: replace one at a time with
 * your own math and run its rules alone ({@code -Dcogview2.kit.rule=ID}).
 */
final class TemplateMath implements KernelMath<TemplateTensor> {

    /** fp32 values of SAT's GELU constants (PyTorch rounds a double scalar to the fp32 of the tensor). */
    private static final float GELU_C = (float) 0.7978845608028654;
    private static final float GELU_A = (float) 0.044715;

    private final ReferenceFallback fallback;

    TemplateMath(ReferenceFallback fallback) {
        this.fallback = fallback;
    }

    // ---------------------------------------------------------------- computed here

    /** {@code a + b}, b repeated over a's leading dims; b may be F16/BF16 (widened exactly). One fp32 sum: exact. */
    @Override
    public void add(TemplateTensor out, TemplateTensor a, TemplateTensor b) {
        MemorySegment y = out.segment();
        MemorySegment as = a.segment();
        MemorySegment bs = b.segment();
        long n = out.count();
        long period = b.count();
        for (long i = 0; i < n; i++) {
            float bv = TemplateTensor.getFloat(bs, b.dtype(), i % period);
            y.setAtIndex(TemplateTensor.F32, i, as.getAtIndex(TemplateTensor.F32, i) + bv);
        }
    }

    /** {@code (0.5x) * (1 + tanh((c x) * (1 + (a x) x)))}, every step in fp32, tanh in double rounded once. */
    @Override
    public void gelu(TemplateTensor out, TemplateTensor x) {
        MemorySegment y = out.segment();
        MemorySegment xs = x.segment();
        for (long i = 0; i < out.count(); i++) {
            float v = xs.getAtIndex(TemplateTensor.F32, i);
            float inner = (GELU_C * v) * (1.0f + (GELU_A * v) * v);
            y.setAtIndex(TemplateTensor.F32, i, (0.5f * v) * (1.0f + (float) Math.tanh(inner)));
        }
    }

    /** {@code x / (1 + exp(-x))} in fp32, exp in double rounded once. */
    @Override
    public void silu(TemplateTensor out, TemplateTensor x) {
        MemorySegment y = out.segment();
        MemorySegment xs = x.segment();
        for (long i = 0; i < out.count(); i++) {
            float v = xs.getAtIndex(TemplateTensor.F32, i);
            y.setAtIndex(TemplateTensor.F32, i, v / (1f + (float) Math.exp(-v)));
        }
    }

    // ---------------------------------------------------------------- delegated to the reference (one line each)

    @Override public void linear(TemplateTensor out, TemplateTensor x, TemplateTensor weight, TemplateTensor bias) { fallback.compute(out, (ref, c) -> ref.linear(c.scope(), c.up(x), c.up(weight), c.up(bias))); }
    @Override public void layerNorm(TemplateTensor out, TemplateTensor x, TemplateTensor gamma, TemplateTensor beta, float eps) { fallback.compute(out, (ref, c) -> ref.layerNorm(c.scope(), c.up(x), c.up(gamma), c.up(beta), eps)); }
    @Override public void groupNorm(TemplateTensor out, TemplateTensor x, int groups, TemplateTensor gamma, TemplateTensor beta, float eps) { fallback.compute(out, (ref, c) -> ref.groupNorm(c.scope(), c.up(x), groups, c.up(gamma), c.up(beta), eps)); }
    @Override public void logSoftmaxGather(TemplateTensor out, TemplateTensor logits, TemplateTensor targets) { fallback.compute(out, (ref, c) -> ref.logSoftmaxGather(c.scope(), c.up(logits), c.up(targets))); }
    @Override public void sampleClusters(TemplateTensor out, TemplateTensor logits, TemplateTensor labels, ClusterLabels table, ClusterSampling sampling, RowDraws draws) { fallback.compute(out, (ref, c) -> ref.sampleClusters(c.scope(), c.up(logits), c.up(labels), table.clusters(), sampling, draws)); }
    @Override public void sampleTopK(TemplateTensor out, TemplateTensor logits, int k, RowDraws draws) { fallback.compute(out, (ref, c) -> ref.sampleTopK(c.scope(), c.up(logits), k, draws)); }
    @Override public void attention(TemplateTensor out, TemplateTensor q, TemplateTensor k, TemplateTensor v, int heads, int keyLength, TemplateTensor mask, TemplateTensor bias) { fallback.compute(out, (ref, c) -> ref.attention(c.scope(), c.up(q), c.up(k), c.up(v), heads, keyLength, c.up(mask), c.up(bias))); }
    @Override public void gridAttention(TemplateTensor out, TemplateTensor q, TemplateTensor k, TemplateTensor v, int heads, int side, LocalWindow selfWindow, GridContext context) { fallback.compute(out, (ref, c) -> ref.gridAttention(c.scope(), c.up(q), c.up(k), c.up(v), heads, side, selfWindow, c.up(context))); }
    @Override public void embedding(TemplateTensor out, TemplateTensor table, TemplateTensor ids) { fallback.compute(out, (ref, c) -> ref.embedding(c.scope(), c.up(table), c.up(ids))); }
    @Override public void nearestCode(TemplateTensor out, TemplateTensor z, TemplateTensor codebook) { fallback.compute(out, (ref, c) -> ref.nearestCode(c.scope(), c.up(z), c.up(codebook))); }
    @Override public void conv2d(TemplateTensor out, TemplateTensor x, TemplateTensor weight, TemplateTensor bias, Conv2dSpec spec) { fallback.compute(out, (ref, c) -> ref.conv2d(c.scope(), c.up(x), c.up(weight), c.up(bias), spec)); }
    @Override public void resizeNearest(TemplateTensor out, TemplateTensor x) { fallback.compute(out, (ref, c) -> ref.resizeNearest(c.scope(), c.up(x), out.shape().dim(2), out.shape().dim(3))); }
    @Override public void avgPool2x2(TemplateTensor out, TemplateTensor x) { fallback.compute(out, (ref, c) -> ref.avgPool2x2(c.scope(), c.up(x))); }
    @Override public void permute(TemplateTensor out, TemplateTensor x, int[] axes) { fallback.compute(out, (ref, c) -> ref.permute(c.scope(), c.up(x), axes)); }
    @Override public void concat(TemplateTensor out, int axis, List<TemplateTensor> parts) { fallback.compute(out, (ref, c) -> ref.concat(c.scope(), axis, c.up(parts))); }
    @Override public void slice(TemplateTensor out, TemplateTensor x, int axis, int start) { fallback.compute(out, (ref, c) -> ref.slice(c.scope(), c.up(x), axis, start, out.shape().dim(axis))); }
    @Override public void copyInto(TemplateTensor dst, int axis, int offset, TemplateTensor src) { fallback.inPlace(dst, (ref, c) -> ref.copyInto(c.up(dst), axis, offset, c.up(src))); }
}
