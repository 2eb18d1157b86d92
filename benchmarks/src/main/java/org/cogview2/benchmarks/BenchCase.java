package org.cogview2.benchmarks;

import org.cogview2.benchmarks.StageBenchmarks.Result;
import org.cogview2.spi.Backend;

import java.util.function.Function;

/**
 * One line of {@code cogview2 bench}: a measurement that runs on a cogview2 backend and, where the computation can be
 * expressed there, on a {@link BaselineEngine}.
 *
 * @param id             stable machine-readable name, e.g. {@code gemm-fp32-2048}, {@code coglm-stage1}
 * @param higherIsBetter throughputs (GFLOP/s, tokens/s) compare higher-is-better; times (seconds) lower-is-better
 * @param onEngine       {@code null} when the baseline engine has no expression of this computation
 */
public record BenchCase(String id, String description, boolean higherIsBetter,
                        Function<Backend, Result> onBackend, Function<BaselineEngine, Result> onEngine) {

    /** The number reported: the throughput (units per second) or the wall time in seconds. */
    public double value(Result r) {
        return higherIsBetter ? r.throughput() : r.seconds();
    }

    /** How much faster ours is: ours/baseline for throughputs, baseline/ours for times; above 1 means ours wins. */
    public double ratio(Result ours, Result baseline) {
        return higherIsBetter ? ours.throughput() / baseline.throughput() : baseline.seconds() / ours.seconds();
    }

    /** The unit of {@link #value}, saying which way is better and how the ratio is formed. */
    public String unit(Result r) {
        return higherIsBetter
                ? r.unit() + "/s (higher is better; ratio = ours/baseline)"
                : "s (lower is better; ratio = baseline/ours)";
    }
}
