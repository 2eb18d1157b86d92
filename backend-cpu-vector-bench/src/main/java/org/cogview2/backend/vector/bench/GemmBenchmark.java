package org.cogview2.backend.vector.bench;

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
 * One linear-layer product per invocation, fp32 activations, weights of the implementation's type. Run through
 * {@link GemmBench} to get GFLOP/s and ratios; the parameters below are only JMH's defaults.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MILLISECONDS)
public class GemmBenchmark {

    @Param({"square2048"})
    public String shape;

    @Param({"vector"})
    public String impl;

    @Param({"2"})
    public int threads;

    private GemmImpl gemm;

    @Setup(Level.Trial)
    public void setup() {
        GemmShape s = GemmShape.parse(shape);
        SplittableRandom r = new SplittableRandom(7);
        float[] x = new float[s.m() * s.k()];
        float[] w = new float[s.n() * s.k()];
        for (int i = 0; i < x.length; i++) {
            x[i] = (float) r.nextGaussian();
        }
        double std = 1 / Math.sqrt(s.k());
        for (int i = 0; i < w.length; i++) {
            w[i] = (float) (r.nextGaussian() * std);
        }
        gemm = GemmImpl.named(impl, threads);
        gemm.setup(s, x, w);
    }

    @Benchmark
    public Object linear() {
        return gemm.run();
    }

    @TearDown(Level.Trial)
    public void tearDown() {
        gemm.close();
    }
}
