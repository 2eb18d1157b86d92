package org.cogview2.backend.vector.bench;

import org.openjdk.jmh.runner.Runner;
import org.openjdk.jmh.runner.RunnerException;
import org.openjdk.jmh.runner.options.OptionsBuilder;
import org.openjdk.jmh.runner.options.TimeValue;

import java.util.List;
import java.util.Locale;

/**
 * Runs {@link AttentionBenchmark} on cpu-vector and cpu-reference in one session and prints milliseconds per call
 * and the speed-up, measured in this run.
 *
 * <pre>
 * java -cp "target/classes:$(cat target/bench.classpath)" org.cogview2.backend.vector.bench.KernelBench [threads]
 * </pre>
 */
public final class KernelBench {

    private KernelBench() {
    }

    public static void main(String[] args) throws RunnerException {
        String threads = args.length > 0 ? args[0] : "2";
        StringBuilder sb = new StringBuilder(String.format(Locale.ROOT,
                "%nAttention kernels, hidden 3072 = 48 heads x 64, %s threads; ms per call%n%-12s %12s %12s %10s%n",
                threads, "kernel", "vector", "reference", "speed-up"));
        for (String kernel : List.of("decode", "prefill496", "dsrGrid")) {
            double[] ms = new double[2];
            String[] impls = {"vector", "reference"};
            for (int i = 0; i < 2; i++) {
                boolean reference = impls[i].equals("reference");
                var o = new OptionsBuilder().include(AttentionBenchmark.class.getName() + ".run")
                        .param("kernel", kernel).param("impl", impls[i]).param("threads", threads)
                        .forks(1).jvmArgsAppend("--add-modules", "jdk.incubator.vector", "-Xmx8g")
                        .warmupIterations(reference ? 1 : 4).warmupTime(TimeValue.seconds(1))
                        .measurementIterations(reference ? 2 : 3).measurementTime(TimeValue.seconds(2))
                        .shouldFailOnError(true).build();
                ms[i] = new Runner(o).runSingle().getPrimaryResult().getScore();
            }
            sb.append(String.format(Locale.ROOT, "%-12s %12.3f %12.3f %9.1fx%n", kernel, ms[0], ms[1], ms[1] / ms[0]));
        }
        System.out.print(sb);
    }
}
