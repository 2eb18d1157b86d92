package org.cogview2.spi;

/**
 * Optional abilities of a backend. The conformance kit skips (and reports as skipped, never as passed) the
 * checks of an ability a backend does not declare; the models refuse to run on a backend that lacks one they
 * need, with a message naming it.
 */
public enum Capability {
    /** Parameters stored as IEEE binary16. */
    F16_WEIGHTS,
    /** Parameters stored as bfloat16. */
    BF16_WEIGHTS,
    /** {@link Kernels#gridAttention}, the local 2D attention of both super-resolution stages. */
    LOCAL_ATTENTION,
    /** {@link Kernels#conv2d}, {@link Kernels#groupNorm}, resizing and pooling (the VQ-VAE image codec). */
    IMAGE_OPS,
    /**
     * The optional building-block kernels of {@link PrimitiveKernels} (the backend's kernels implement that
     * interface). No stage needs them; the conformance kit checks them when declared.
     */
    PRIMITIVE_KERNELS
}
