package org.cogview2.conformance;

import org.cogview2.spi.Kernels;
import org.cogview2.spi.PrimitiveKernels;
import org.cogview2.spi.Tensor;
import org.cogview2.spi.TensorScope;

/**
 * A call of one or more kernels that a rule runs identically on the backend under test and on the reference: it
 * receives the uploaded inputs (in the order given, null where a null input was given) and returns the outputs to
 * compare.
 */
@FunctionalInterface
public interface KernelOp {

    Tensor[] apply(Kernels kernels, TensorScope scope, Tensor[] inputs);

    /** An operation with one output. */
    @FunctionalInterface
    interface Single {
        Tensor apply(Kernels kernels, TensorScope scope, Tensor[] inputs);
    }

    static KernelOp single(Single op) {
        return (kernels, scope, inputs) -> new Tensor[]{op.apply(kernels, scope, inputs)};
    }

    /** An operation with one output on the optional {@link PrimitiveKernels}. */
    @FunctionalInterface
    interface Primitive {
        Tensor apply(PrimitiveKernels kernels, TensorScope scope, Tensor[] inputs);
    }

    /**
     * An operation on the optional primitive kernels; its rule requires {@link
     * org.cogview2.spi.Capability#PRIMITIVE_KERNELS}, so it only runs on a backend that declares them.
     */
    static KernelOp primitive(Primitive op) {
        return (kernels, scope, inputs) -> {
            if (!(kernels instanceof PrimitiveKernels p)) {
                throw new IllegalStateException("backend '" + scope.backend().name() + "' declares PRIMITIVE_KERNELS"
                        + " but its kernels (" + kernels.getClass().getName() + ") do not implement "
                        + PrimitiveKernels.class.getName());
            }
            return new Tensor[]{op.apply(p, scope, inputs)};
        };
    }
}
