package org.cogview2.spi;

/**
 * Element types a backend stores. Activations are always {@link #F32}; weights may stay in the
 * precision of the checkpoint ({@link #F16} or {@link #BF16}) and are widened inside the kernels.
 */
public enum DType {
    F32(4, true),
    F16(2, true),
    BF16(2, true),
    I32(4, false),
    I64(8, false);

    private final int byteSize;
    private final boolean floating;

    DType(int byteSize, boolean floating) {
        this.byteSize = byteSize;
        this.floating = floating;
    }

    /** Bytes per element. */
    public int byteSize() {
        return byteSize;
    }

    /** Whether the type holds real numbers (F32, F16, BF16). */
    public boolean isFloating() {
        return floating;
    }
}
