package org.cogview2.backend.vector.bench;

import org.cogview2.backend.reference.ReferenceBackend;
import org.cogview2.backend.vector.VectorBackend;
import org.cogview2.spi.Backend;
import org.cogview2.spi.GridContext;
import org.cogview2.spi.Kernels;
import org.cogview2.spi.LocalWindow;
import org.cogview2.spi.Shape;
import org.cogview2.spi.Tensor;
import org.cogview2.spi.TensorScope;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;

import java.util.SplittableRandom;
import java.util.concurrent.TimeUnit;

/**
 * The attention kernels at CogView2 sizes (hidden 3072 = 48 heads x 64): a CogLM decode step over a 463-position
 * cache ({@code decode}), a 496-query prefill with mask and bias as in the DSR level 0 ({@code prefill496}), and the
 * DSR local attention on the 60x60 grid with the 5x5 cross window into 20x20 ({@code dsrGrid}). Run through
 * {@link KernelBench} for the ratio to the reference backend.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MILLISECONDS)
public class AttentionBenchmark {

    static final int HEADS = 48;
    static final int HIDDEN = 3072;

    @Param({"decode"})
    public String kernel;

    @Param({"vector"})
    public String impl;

    @Param({"2"})
    public int threads;

    private Backend backend;
    private TensorScope scope;
    private Tensor q;
    private Tensor k;
    private Tensor v;
    private Tensor mask;
    private Tensor bias;
    private Tensor k0;

    private Tensor random(SplittableRandom r, int... dims) {
        Shape s = Shape.of(dims);
        float[] x = new float[(int) s.elementCount()];
        for (int i = 0; i < x.length; i++) {
            x[i] = (float) r.nextGaussian();
        }
        return scope.fromFloats(x, s);
    }

    @Setup(Level.Trial)
    public void setup() {
        backend = impl.equals("reference") ? new ReferenceBackend(threads) : new VectorBackend(threads);
        scope = backend.newScope();
        SplittableRandom r = new SplittableRandom(3);
        switch (kernel) {
            case "decode" -> {
                q = random(r, 1, 1, HIDDEN);
                k = random(r, 1, 512, HIDDEN);
                v = random(r, 1, 512, HIDDEN);
            }
            case "prefill496" -> {
                q = random(r, 1, 496, HIDDEN);
                k = random(r, 1, 496, HIDDEN);
                v = random(r, 1, 496, HIDDEN);
                float[] m = new float[496 * 496];
                for (int i = 0; i < 496; i++) {
                    for (int j = 0; j < 496; j++) {
                        m[i * 496 + j] = (i < 96 && j >= 96) || (i >= 10 && j < 10) ? 0f : 1f;
                    }
                }
                mask = scope.fromFloats(m, Shape.of(496, 496));
                bias = scope.zeros(org.cogview2.spi.DType.F32, Shape.of(496, 496));
            }
            case "dsrGrid" -> {
                q = random(r, 1, 3600, HIDDEN);
                k = random(r, 1, 3600, HIDDEN);
                v = random(r, 1, 3600, HIDDEN);
                k0 = random(r, 1, 400, HIDDEN);
            }
            default -> throw new IllegalArgumentException(kernel);
        }
    }

    @Benchmark
    public Object run() {
        Kernels kn = backend.kernels();
        try (TensorScope s = backend.newScope()) {
            Tensor y = switch (kernel) {
                case "decode" -> kn.attention(s, q, k, v, HEADS, 463, null, null);
                case "prefill496" -> kn.attention(s, q, k, v, HEADS, 496, mask, bias);
                default -> kn.gridAttention(s, q, k, v, HEADS, 60, LocalWindow.of(9, 5),
                        new GridContext.CrossGrid(k0, k0, 20, LocalWindow.of(5, 5)));
            };
            return y.shape();
        }
    }

    @TearDown(Level.Trial)
    public void tearDown() {
        scope.close();
        backend.close();
    }
}
