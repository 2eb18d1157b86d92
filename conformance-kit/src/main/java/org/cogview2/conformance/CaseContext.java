package org.cogview2.conformance;

import org.cogview2.spi.Backend;
import org.cogview2.spi.Tensor;
import org.cogview2.spi.TensorScope;

import java.lang.foreign.Arena;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;

/**
 * What a rule's case works with: seeded random inputs, and the means to run the same kernel calls on the backend
 * under test ("subject") and on the reference backend and to compare the results. Every run uses fresh scopes, closed
 * (with the arena holding uploaded bytes) once the outputs are read back.
 */
public final class CaseContext {

    private final Backend subject;
    private final Backend reference;
    private final Rule rule;
    private final Rule.Case currentCase;
    private final long seed;
    private final SplittableRandom random;

    CaseContext(Backend subject, Backend reference, Rule rule, Rule.Case currentCase, long seed) {
        this.subject = subject;
        this.reference = reference;
        this.rule = rule;
        this.currentCase = currentCase;
        this.seed = seed;
        this.random = new SplittableRandom(seed);
    }

    /** The backend being certified. */
    public Backend subject() {
        return subject;
    }

    /** The reference backend. */
    public Backend reference() {
        return reference;
    }

    public Rule rule() {
        return rule;
    }

    public Rule.Case currentCase() {
        return currentCase;
    }

    /** The seed of this case's random inputs (printed with failures, so that a failure can be replayed). */
    public long seed() {
        return seed;
    }

    /** The rule's tolerance. */
    public Tolerance tolerance() {
        return rule.tolerance();
    }

    public SplittableRandom random() {
        return random;
    }

    /** Skips this case, for a reason that is reported (for example missing golden data). */
    public void skip(String reason) {
        throw new CaseSkippedException(reason);
    }

    // ------------------------------------------------------------------ random inputs

    /** Normally distributed values with mean 0 and the given standard deviation, rounded to fp32. */
    public float[] gaussian(int n, double std) {
        float[] v = new float[n];
        for (int i = 0; i < n; i++) {
            v[i] = (float) (random.nextGaussian() * std);
        }
        return v;
    }

    /** Uniform values in {@code [lo, hi)}. */
    public float[] uniformValues(int n, double lo, double hi) {
        float[] v = new float[n];
        for (int i = 0; i < n; i++) {
            v[i] = (float) random.nextDouble(lo, hi);
        }
        return v;
    }

    /** An F32 tensor of normal values with standard deviation {@code std}. */
    public HostTensor normal(double std, int... shape) {
        return HostTensor.f32(shape, gaussian(count(shape), std));
    }

    /** An F32 tensor of uniform values in {@code [lo, hi)}. */
    public HostTensor uniform(double lo, double hi, int... shape) {
        return HostTensor.f32(shape, uniformValues(count(shape), lo, hi));
    }

    /** An I32 tensor of values in {@code [0, bound)}. */
    public HostTensor ints(int bound, int... shape) {
        int[] v = new int[count(shape)];
        for (int i = 0; i < v.length; i++) {
            v[i] = random.nextInt(bound);
        }
        return HostTensor.i32(shape, v);
    }

    public static int count(int... shape) {
        long n = 1;
        for (int d : shape) {
            n *= d;
        }
        return Math.toIntExact(n);
    }

    // ------------------------------------------------------------------ running

    /** Outputs of one operation on both backends. */
    public record Outputs(HostTensor[] want, HostTensor[] got) {
    }

    /** Runs {@code op} on the reference (expected values) and then on the backend under test. */
    public Outputs run(KernelOp op, HostTensor... inputs) {
        HostTensor[] want;
        try {
            want = execute(reference, op, inputs);
        } catch (RuntimeException e) {
            throw new IllegalStateException("the reference backend failed on this case (a bug of the kit): " + e, e);
        }
        return new Outputs(want, runOnSubject(op, inputs));
    }

    /** Runs {@code op} on the backend under test only (for rules whose expected values are known exactly). */
    public HostTensor[] runOnSubject(KernelOp op, HostTensor... inputs) {
        try {
            return execute(subject, op, inputs);
        } catch (RuntimeException | Error e) {
            throw new SubjectFailedException(e);
        }
    }

    /** Runs on both backends and compares every output: floats with the rule's tolerance, integers exactly. */
    public List<ComparisonResult> compare(KernelOp op, HostTensor... inputs) {
        return compareWith(tolerance(), op, inputs);
    }

    /** As {@link #compare(KernelOp, HostTensor...)} with another tolerance. */
    public List<ComparisonResult> compareWith(Tolerance tolerance, KernelOp op, HostTensor... inputs) {
        Outputs out = run(op, inputs);
        List<ComparisonResult> results = new ArrayList<>();
        for (int i = 0; i < out.want().length; i++) {
            String label = out.want().length == 1 ? "output" : "output " + i;
            results.add(compare(label, out.want()[i], i < out.got().length ? out.got()[i] : null, tolerance));
        }
        if (out.got().length != out.want().length) {
            results.add(ComparisonResult.structural("outputs", new int[0], tolerance,
                    out.got().length + " outputs where " + out.want().length + " were expected"));
        }
        return results;
    }

    /** Compares one output: shape and dtype class first, then the values. */
    public ComparisonResult compare(String label, HostTensor want, HostTensor got, Tolerance tolerance) {
        if (got == null) {
            return ComparisonResult.structural(label, want.shape(), tolerance, "no output");
        }
        ComparisonResult shapes = Comparison.shapes(label, want.shape(), got.shape());
        if (!shapes.passed()) {
            return shapes;
        }
        if (want.dtype() != got.dtype()) {
            return ComparisonResult.structural(label, want.shape(), tolerance,
                    "dtype " + got.dtype() + " where " + want.dtype() + " was expected");
        }
        if (want.dtype().isFloating()) {
            return Comparison.floats(label, want.shape(), want.floats(), got.floats(), tolerance);
        }
        return Comparison.ints(label, want.shape(), want.ints(), got.ints());
    }

    private static HostTensor[] execute(Backend backend, KernelOp op, HostTensor[] inputs) {
        try (Arena arena = Arena.ofShared(); TensorScope scope = backend.newScope()) {
            Tensor[] tensors = new Tensor[inputs.length];
            for (int i = 0; i < inputs.length; i++) {
                tensors[i] = inputs[i] == null ? null : inputs[i].upload(scope, arena);
            }
            Tensor[] outputs = op.apply(backend.kernels(), scope, tensors);
            HostTensor[] host = new HostTensor[outputs.length];
            for (int i = 0; i < outputs.length; i++) {
                host[i] = HostTensor.download(scope, outputs[i]);
            }
            return host;
        }
    }

    /** The backend under test threw while running a case. */
    public static final class SubjectFailedException extends RuntimeException {
        SubjectFailedException(Throwable cause) {
            super("the backend under test threw " + cause, cause);
        }
    }
}
