package org.cogview2.checkpoint;

import java.io.InputStream;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.util.Objects;

/** An input stream over a memory segment (the mapped {@code data.pkl}); knows its position and what remains. */
final class SegmentInputStream extends InputStream {

    private final MemorySegment segment;
    private long position;

    SegmentInputStream(MemorySegment segment) {
        this.segment = segment;
    }

    long position() {
        return position;
    }

    long remaining() {
        return segment.byteSize() - position;
    }

    /** The byte at {@code position + ahead}, or -1 past the end; does not move. */
    int peek(long ahead) {
        long p = position + ahead;
        return p < segment.byteSize() ? Byte.toUnsignedInt(segment.get(ValueLayout.JAVA_BYTE, p)) : -1;
    }

    @Override
    public int read() {
        if (position >= segment.byteSize()) {
            return -1;
        }
        return Byte.toUnsignedInt(segment.get(ValueLayout.JAVA_BYTE, position++));
    }

    @Override
    public int read(byte[] b, int off, int len) {
        Objects.checkFromIndexSize(off, len, b.length);
        if (len == 0) {
            return 0;
        }
        long left = remaining();
        if (left <= 0) {
            return -1;
        }
        int n = (int) Math.min(len, left);
        MemorySegment.copy(segment, ValueLayout.JAVA_BYTE, position, b, off, n);
        position += n;
        return n;
    }

    @Override
    public long skip(long n) {
        long k = Math.max(0, Math.min(n, remaining()));
        position += k;
        return k;
    }

    @Override
    public int available() {
        return (int) Math.min(Integer.MAX_VALUE, remaining());
    }
}
