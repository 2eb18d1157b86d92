package org.cogview2.backend.vector;

/**
 * A matrix read by the GEMM: row {@code i} is the {@code stride}-spaced run of elements starting at element
 * {@code offset + i * stride} of a store, in any floating dtype (F32, F16, BF16; heap or mapped). The elements are
 * widened to fp32 when they are packed, so a 16-bit weight never exists as a full fp32 copy.
 */
record Operand(Store store, long offset, int stride) {

    static Operand of(VTensor t, long extraOffset, int stride) {
        return new Operand(t.store(), t.offset() + extraOffset, stride);
    }

    /** The heap fp32 array if this operand lives in one, else null. */
    float[] heapF32() {
        return store instanceof Store.F32 s ? s.a() : null;
    }

    /** Reads {@code n} elements of row {@code row} from column {@code col}, widened, into {@code dst[dstOff..]}. */
    void readRow(int row, int col, float[] dst, int dstOff, int n) {
        Halfs.read(store, offset + (long) row * stride + col, dst, dstOff, n);
    }
}
