package org.cogview2.spi.support;

import org.cogview2.spi.Capability;
import org.cogview2.spi.Conv2dSpec;
import org.cogview2.spi.DType;
import org.cogview2.spi.GridContext;
import org.cogview2.spi.Kernels;
import org.cogview2.spi.LocalWindow;
import org.cogview2.spi.Shape;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.util.EnumSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * The smallest backend on the support module, for its tests: tensors are float arrays (ints stored as floats), and the
 * math implements {@code add} and {@code embedding} only, counting its calls; {@link #failNextMath} makes the next
 * call throw, as a failing device kernel would.
 */
final class ToyBackend extends AbstractBackend<ToyBackend.ToyTensor, ToyBackend.ToyScope> {

    final AtomicInteger mathCalls = new AtomicInteger();
    volatile boolean failNextMath;
    volatile boolean shutDown;
    private final Kernels kernels = CheckedKernels.of(this, new ToyMath());

    ToyBackend() {
        super(ToyScope.class);
    }

    @Override
    public String name() {
        return "toy";
    }

    @Override
    public Set<Capability> capabilities() {
        return EnumSet.noneOf(Capability.class);
    }

    @Override
    protected ToyScope createScope() {
        return new ToyScope(this);
    }

    @Override
    public Kernels kernels() {
        return kernels;
    }

    @Override
    protected void shutdown() {
        shutDown = true;
    }

    static final class ToyTensor extends AbstractTensor {
        private volatile float[] data;

        ToyTensor(ToyBackend backend, Shape shape, DType dtype, float[] data) {
            super(backend, shape, dtype);
            this.data = data;
        }

        ToyTensor(ToyTensor of, Shape shape, long extraOffset) {
            super(of, shape, extraOffset);
            this.data = of.data();
        }

        float[] data() {
            checkLive();
            return data;
        }

        @Override
        protected long countedBytes() {
            return count() * dtype().byteSize();
        }

        @Override
        protected void releaseMemory() {
            data = null;
        }
    }

    static final class ToyScope extends AbstractScope<ToyTensor> {
        private final ToyBackend backend;

        ToyScope(ToyBackend backend) {
            super(backend);
            this.backend = backend;
        }

        @Override
        protected ToyTensor allocateUnchecked(DType dtype, Shape shape) {
            return register(new ToyTensor(backend, shape, dtype, new float[(int) shape.elementCount()]));
        }

        @Override
        protected ToyTensor zerosUnchecked(DType dtype, Shape shape) {
            return allocateUnchecked(dtype, shape);
        }

        @Override
        protected ToyTensor uploadUnchecked(MemorySegment segment, DType dtype, Shape shape) {
            float[] values = new float[(int) shape.elementCount()];
            for (int i = 0; i < values.length; i++) {
                values[i] = segment.getAtIndex(ValueLayout.JAVA_FLOAT_UNALIGNED, i);
            }
            return register(new ToyTensor(backend, shape, DType.F32, values));
        }

        @Override
        protected ToyTensor fromFloatsUnchecked(float[] values, Shape shape) {
            return register(new ToyTensor(backend, shape, DType.F32, values.clone()));
        }

        @Override
        protected ToyTensor fromIntsUnchecked(int[] values, Shape shape) {
            float[] data = new float[values.length];
            for (int i = 0; i < values.length; i++) {
                data[i] = values[i];
            }
            return register(new ToyTensor(backend, shape, DType.I32, data));
        }

        @Override
        protected float[] readFloatsUnchecked(ToyTensor t) {
            float[] out = new float[(int) t.count()];
            System.arraycopy(t.data(), (int) t.offset(), out, 0, out.length);
            return out;
        }

        @Override
        protected int[] readIntsUnchecked(ToyTensor t) {
            int[] out = new int[(int) t.count()];
            for (int i = 0; i < out.length; i++) {
                out[i] = (int) t.data()[(int) t.offset() + i];
            }
            return out;
        }

        @Override
        protected ToyTensor view(ToyTensor base, Shape shape, long extraOffset) {
            return new ToyTensor(base, shape, extraOffset);
        }
    }

    private final class ToyMath implements KernelMath<ToyTensor> {

        private void call() {
            mathCalls.incrementAndGet();
            if (failNextMath) {
                failNextMath = false;
                throw new IllegalStateException("toy kernel failed");
            }
        }

        @Override
        public void add(ToyTensor out, ToyTensor a, ToyTensor b) {
            call();
            float[] y = out.data();
            int period = (int) b.count();
            for (int i = 0; i < y.length; i++) {
                y[i] = a.data()[(int) a.offset() + i] + b.data()[(int) b.offset() + i % period];
            }
        }

        @Override
        public void embedding(ToyTensor out, ToyTensor table, ToyTensor ids) {
            call();
            int h = table.shape().dim(1);
            float[] y = out.data();
            for (int i = 0; i < ids.count(); i++) {
                int id = (int) ids.data()[(int) ids.offset() + i];
                System.arraycopy(table.data(), (int) table.offset() + id * h, y, i * h, h);
            }
        }

        // The toy backend has no other kernel.
        @Override public void linear(ToyTensor out, ToyTensor x, ToyTensor weight, ToyTensor bias) { throw new UnsupportedOperationException(); }
        @Override public void layerNorm(ToyTensor out, ToyTensor x, ToyTensor gamma, ToyTensor beta, float eps) { throw new UnsupportedOperationException(); }
        @Override public void groupNorm(ToyTensor out, ToyTensor x, int groups, ToyTensor gamma, ToyTensor beta, float eps) { throw new UnsupportedOperationException(); }
        @Override public void gelu(ToyTensor out, ToyTensor x) { throw new UnsupportedOperationException(); }
        @Override public void silu(ToyTensor out, ToyTensor x) { throw new UnsupportedOperationException(); }
        @Override public void logSoftmaxGather(ToyTensor out, ToyTensor logits, ToyTensor targets) { throw new UnsupportedOperationException(); }
        @Override public void attention(ToyTensor out, ToyTensor q, ToyTensor k, ToyTensor v, int heads, int keyLength, ToyTensor mask, ToyTensor bias) { throw new UnsupportedOperationException(); }
        @Override public void gridAttention(ToyTensor out, ToyTensor q, ToyTensor k, ToyTensor v, int heads, int side, LocalWindow selfWindow, GridContext context) { throw new UnsupportedOperationException(); }
        @Override public void nearestCode(ToyTensor out, ToyTensor z, ToyTensor codebook) { throw new UnsupportedOperationException(); }
        @Override public void conv2d(ToyTensor out, ToyTensor x, ToyTensor weight, ToyTensor bias, Conv2dSpec spec) { throw new UnsupportedOperationException(); }
        @Override public void resizeNearest(ToyTensor out, ToyTensor x) { throw new UnsupportedOperationException(); }
        @Override public void avgPool2x2(ToyTensor out, ToyTensor x) { throw new UnsupportedOperationException(); }
        @Override public void permute(ToyTensor out, ToyTensor x, int[] axes) { throw new UnsupportedOperationException(); }
        @Override public void concat(ToyTensor out, int axis, List<ToyTensor> parts) { throw new UnsupportedOperationException(); }
        @Override public void slice(ToyTensor out, ToyTensor x, int axis, int start) { throw new UnsupportedOperationException(); }
        @Override public void copyInto(ToyTensor dst, int axis, int offset, ToyTensor src) { throw new UnsupportedOperationException(); }
        @Override public void sampleClusters(ToyTensor out, ToyTensor logits, ToyTensor labels, org.cogview2.spi.sampling.ClusterLabels table, org.cogview2.spi.sampling.ClusterSampling sampling, org.cogview2.spi.sampling.RowDraws draws) { throw new UnsupportedOperationException(); }
        @Override public void sampleTopK(ToyTensor out, ToyTensor logits, int k, org.cogview2.spi.sampling.RowDraws draws) { throw new UnsupportedOperationException(); }
    }
}
