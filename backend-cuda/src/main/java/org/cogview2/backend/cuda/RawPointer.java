package org.cogview2.backend.cuda;

import jcuda.Pointer;

/**
 * Raw addresses for JCuda: the numeric value of a {@link Pointer} (a device allocation plus its byte offset), and a
 * {@link Pointer} to a native host address (a memory-mapped checkpoint segment), so that uploads read the mapped
 * bytes directly, without a heap copy. Kernel arguments of pointer type are passed as these 64-bit values.
 */
final class RawPointer extends Pointer {

    private RawPointer(Pointer pointer) {
        super(pointer);
    }

    private RawPointer(long address) {
        super(address);
    }

    /** The address a pointer holds, including its byte offset. */
    static long addressOf(Pointer pointer) {
        RawPointer copy = new RawPointer(pointer);
        return copy.getNativePointer() + copy.getByteOffset();
    }

    /** A pointer to native host memory at {@code address} (for example {@code MemorySegment.address()}). */
    static Pointer host(long address) {
        return new RawPointer(address);
    }
}
