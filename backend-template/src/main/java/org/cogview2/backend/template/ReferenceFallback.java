package org.cogview2.backend.template;

import org.cogview2.spi.Backend;
import org.cogview2.spi.Backends;
import org.cogview2.spi.DType;
import org.cogview2.spi.GridContext;
import org.cogview2.spi.Kernels;
import org.cogview2.spi.Tensor;
import org.cogview2.spi.TensorScope;

import java.lang.foreign.MemorySegment;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Runs a kernel you have not written yet on the reference backend: uploads its inputs (the bytes as they are),
 * calls the reference kernel, and writes the result back into the destination tensor(s). Each delegation in
 * {@link TemplateMath} is one line, {@code fallback.compute(out, (ref, c) -> ref.kernel(c.scope(), c.up(x), ...))},
 * whatever the kernel; delete the line when your own math replaces it.
 *
 * <p>The reference is found through the SPI by its name, never by its class: backends must not depend on each
 * other's packages (ArchUnit, {@code LayeringTest.backends_do_not_depend_on_each_other}), so the reference module is
 * only a {@code runtime} dependency.
 *
 * <p>Limits: results come back through {@link TensorScope#readFloats} / {@link TensorScope#readInts}. F16/BF16
 * results are narrowed back exactly (they were widened from 16-bit values); an I64 result comes back as ints, so a
 * value outside the int range fails the read-back instead of arriving. Every call copies its inputs, so a delegated
 * kernel is slow: the fallback is there to get certified, not to generate pictures.
 */
final class ReferenceFallback implements AutoCloseable {

    /** The backend the fallback runs on. */
    static final String REFERENCE = "cpu-reference";

    private final Backend reference;
    private final AtomicLong calls = new AtomicLong();

    private ReferenceFallback(Backend reference) {
        this.reference = reference;
    }

    /** Starts the reference backend found on this class's class path (a runtime dependency). */
    static ReferenceFallback start() {
        return new ReferenceFallback(Backends.discover(ReferenceFallback.class.getClassLoader()).select(REFERENCE));
    }

    /** A kernel on the reference producing one result. */
    @FunctionalInterface
    interface Kernel {
        Tensor run(Kernels ref, Call c);
    }

    /** A kernel on the reference producing several results, in the order of the destinations. */
    @FunctionalInterface
    interface MultiKernel {
        List<Tensor> run(Kernels ref, Call c);
    }

    /** A kernel on the reference that writes into one of its inputs ({@code copyInto}). */
    @FunctionalInterface
    interface InPlaceKernel {
        void run(Kernels ref, Call c);
    }

    /** Runs {@code kernel} on the reference and writes its result into {@code out}. */
    void compute(TemplateTensor out, Kernel kernel) {
        computeAll(List.of(out), (ref, c) -> List.of(kernel.run(ref, c)));
    }

    /** Runs {@code kernel} on the reference and writes its results into {@code outs}, in order. */
    void computeAll(List<TemplateTensor> outs, MultiKernel kernel) {
        calls.incrementAndGet();
        try (Call c = new Call(reference.newScope())) {
            List<Tensor> results = kernel.run(reference.kernels(), c);
            for (int i = 0; i < outs.size(); i++) {
                writeBack(c.scope, results.get(i), outs.get(i));
            }
        }
    }

    /** Runs {@code kernel}, which writes into the upload of {@code dst}, then writes that upload back into dst. */
    void inPlace(TemplateTensor dst, InPlaceKernel kernel) {
        calls.incrementAndGet();
        try (Call c = new Call(reference.newScope())) {
            kernel.run(reference.kernels(), c);
            writeBack(c.scope, c.up(dst), dst);
        }
    }

    /** Kernel calls delegated so far (a test shows that the kernels you wrote make none). */
    long calls() {
        return calls.get();
    }

    /** The reference backend the delegated kernels run on. */
    Backend reference() {
        return reference;
    }

    /** Closes the reference backend (from the backend's {@code shutdown()}). */
    @Override
    public void close() {
        reference.close();
    }

    /** One delegated call: a reference scope, closed afterwards, and the uploads made in it. */
    static final class Call implements AutoCloseable {
        private final TensorScope scope;
        /** Each tensor is uploaded once per call: copyInto writes into the very upload it later reads back. */
        private final Map<Tensor, Tensor> uploads = new IdentityHashMap<>();

        private Call(TensorScope scope) {
            this.scope = scope;
        }

        /** The reference scope results go into. */
        TensorScope scope() {
            return scope;
        }

        /** {@code t} (a tensor of this backend, or null) as a reference tensor holding the same bytes. */
        Tensor up(Tensor t) {
            if (t == null) {
                return null;
            }
            TemplateTensor mine = (TemplateTensor) t; // CheckedKernels made sure it is ours and alive
            return uploads.computeIfAbsent(mine, x -> scope.upload(mine.segment(), mine.dtype(), mine.shape()));
        }

        /** Every part uploaded ({@code concat}). */
        Tensor[] up(List<TemplateTensor> parts) {
            return parts.stream().map(this::up).toArray(Tensor[]::new);
        }

        /** The same context with its tensors uploaded ({@code gridAttention}). */
        GridContext up(GridContext context) {
            return switch (context) {
                case GridContext.CrossGrid g -> new GridContext.CrossGrid(up(g.keys()), up(g.values()), g.side(), g.window());
                case GridContext.GlobalKeys g -> new GridContext.GlobalKeys(up(g.keys()), up(g.values()), up(g.keyMask()));
            };
        }

        @Override
        public void close() {
            scope.close();
        }
    }

    /** Copies a reference result into a tensor of this backend of the same dtype and shape. */
    private static void writeBack(TensorScope scope, Tensor result, TemplateTensor dst) {
        if (result.dtype() != dst.dtype() || !result.shape().equals(dst.shape())) {
            throw new IllegalStateException("the reference returned " + result.dtype() + result.shape()
                    + " for a destination " + dst.dtype() + dst.shape());
        }
        MemorySegment s = dst.segment();
        switch (dst.dtype()) {
            case F32 -> {
                float[] v = scope.readFloats(result);
                MemorySegment.copy(v, 0, s, TemplateTensor.F32, 0, v.length);
            }
            case F16, BF16 -> {
                // Exact: every value was widened from a 16-bit value of this format.
                float[] v = scope.readFloats(result);
                for (int i = 0; i < v.length; i++) {
                    short bits = dst.dtype() == DType.F16 ? Float.floatToFloat16(v[i])
                            : (short) (Float.floatToRawIntBits(v[i]) >>> 16);
                    s.setAtIndex(TemplateTensor.HALF, i, bits);
                }
            }
            case I32 -> {
                int[] v = scope.readInts(result);
                MemorySegment.copy(v, 0, s, TemplateTensor.I32, 0, v.length);
            }
            case I64 -> {
                int[] v = scope.readInts(result); // see the class comment: only values in the int range come back
                for (int i = 0; i < v.length; i++) {
                    s.setAtIndex(TemplateTensor.I64, i, v[i]);
                }
            }
        }
    }
}
