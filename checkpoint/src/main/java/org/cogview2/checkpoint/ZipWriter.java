package org.cogview2.checkpoint;

import java.io.IOException;
import java.lang.foreign.MemorySegment;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.zip.CRC32;

/**
 * Writes a zip archive the way PyTorch's {@code PyTorchStreamWriter} (miniz) does: stored entries whose data
 * starts at a 64-byte aligned offset (padding in an {@code "FB"} extra field of the local header), ZIP64 extra
 * fields for sizes or offsets of 4 GiB and more, and always a ZIP64 end record and locator.
 */
final class ZipWriter {

    /** Streams an entry's bytes. */
    interface Source {
        void writeTo(Sink sink) throws IOException;
    }

    /** Receives an entry's bytes in order. */
    interface Sink {
        void write(ByteBuffer bytes) throws IOException;
    }

    static final int ALIGNMENT = 64;
    private static final long MAX32 = 0xFFFFFFFFL;

    private record Written(byte[] name, long localOffset, long size, int crc) {
    }

    private final FileChannel channel;
    private final long zip64Threshold;
    private final List<Written> written = new ArrayList<>();

    ZipWriter(FileChannel channel) {
        this(channel, MAX32);
    }

    /** @param zip64Threshold sizes and offsets from this value on get ZIP64 fields (tests force it low) */
    ZipWriter(FileChannel channel, long zip64Threshold) {
        this.channel = channel;
        this.zip64Threshold = Math.min(zip64Threshold, MAX32);
    }

    void add(String name, byte[] data) throws IOException {
        add(name, data.length, sink -> sink.write(ByteBuffer.wrap(data)));
    }

    void add(String name, long size, Source source) throws IOException {
        byte[] nameBytes = name.getBytes(StandardCharsets.UTF_8);
        long lho = channel.position();
        boolean zip64 = size >= zip64Threshold;
        int zip64Len = zip64 ? 4 + 16 : 0;
        long base = lho + ZipIndex.LOCAL_HEADER_SIZE + nameBytes.length + zip64Len + 4;
        int pad = (int) ((ALIGNMENT - base % ALIGNMENT) % ALIGNMENT);
        int extraLen = zip64Len + 4 + pad;
        ByteBuffer h = ByteBuffer.allocate(ZipIndex.LOCAL_HEADER_SIZE + nameBytes.length + extraLen)
                .order(ByteOrder.LITTLE_ENDIAN);
        h.putInt(ZipIndex.LOCAL_HEADER_SIG).putShort((short) (zip64 ? 45 : 20)).putShort((short) 0)
                .putShort((short) 0).putShort((short) 0).putShort((short) 0x21).putInt(0)
                .putInt((int) (zip64 ? MAX32 : size)).putInt((int) (zip64 ? MAX32 : size))
                .putShort((short) nameBytes.length).putShort((short) extraLen).put(nameBytes);
        if (zip64) {
            h.putShort((short) 1).putShort((short) 16).putLong(size).putLong(size);
        }
        h.putShort((short) 0x4246).putShort((short) pad);
        for (int i = 0; i < pad; i++) {
            h.put((byte) 'Z');
        }
        writeFully(h.flip());
        CRC32 crc = new CRC32();
        long[] count = {0};
        source.writeTo(bytes -> {
            count[0] += bytes.remaining();
            crc.update(bytes.duplicate());
            writeFully(bytes);
        });
        if (count[0] != size) {
            throw new IOException("entry " + name + ": wrote " + count[0] + " bytes, declared " + size);
        }
        int crcValue = (int) crc.getValue();
        ByteBuffer c = ByteBuffer.allocate(4).order(ByteOrder.LITTLE_ENDIAN).putInt(crcValue).flip();
        while (c.hasRemaining()) {
            channel.write(c, lho + 14 + c.position());
        }
        written.add(new Written(nameBytes, lho, size, crcValue));
    }

    /** Writes the central directory and the end records. */
    void finish() throws IOException {
        long cdOffset = channel.position();
        for (Written w : written) {
            boolean bigSize = w.size() >= zip64Threshold;
            boolean bigOffset = w.localOffset() >= zip64Threshold;
            int zip64Len = (bigSize ? 16 : 0) + (bigOffset ? 8 : 0);
            int extraLen = zip64Len == 0 ? 0 : 4 + zip64Len;
            ByteBuffer c = ByteBuffer.allocate(ZipIndex.CENTRAL_HEADER_SIZE + w.name().length + extraLen)
                    .order(ByteOrder.LITTLE_ENDIAN);
            short version = (short) (zip64Len > 0 ? 45 : 20);
            c.putInt(ZipIndex.CENTRAL_HEADER_SIG).putShort(version).putShort(version).putShort((short) 0)
                    .putShort((short) 0).putShort((short) 0).putShort((short) 0x21).putInt(w.crc())
                    .putInt((int) (bigSize ? MAX32 : w.size())).putInt((int) (bigSize ? MAX32 : w.size()))
                    .putShort((short) w.name().length).putShort((short) extraLen).putShort((short) 0)
                    .putShort((short) 0).putShort((short) 0).putInt(0)
                    .putInt((int) (bigOffset ? MAX32 : w.localOffset())).put(w.name());
            if (zip64Len > 0) {
                c.putShort((short) 1).putShort((short) zip64Len);
                if (bigSize) {
                    c.putLong(w.size()).putLong(w.size());
                }
                if (bigOffset) {
                    c.putLong(w.localOffset());
                }
            }
            writeFully(c.flip());
        }
        long cdSize = channel.position() - cdOffset;
        long eocd64 = channel.position();
        long n = written.size();
        ByteBuffer e = ByteBuffer.allocate(ZipIndex.ZIP64_EOCD_SIZE + ZipIndex.ZIP64_LOCATOR_SIZE
                + ZipIndex.EOCD_SIZE).order(ByteOrder.LITTLE_ENDIAN);
        e.putInt(ZipIndex.ZIP64_EOCD_SIG).putLong(ZipIndex.ZIP64_EOCD_SIZE - 12).putShort((short) 45)
                .putShort((short) 45).putInt(0).putInt(0).putLong(n).putLong(n).putLong(cdSize).putLong(cdOffset);
        e.putInt(ZipIndex.ZIP64_LOCATOR_SIG).putInt(0).putLong(eocd64).putInt(1);
        e.putInt(ZipIndex.EOCD_SIG).putShort((short) 0).putShort((short) 0)
                .putShort((short) Math.min(n, 0xFFFF)).putShort((short) Math.min(n, 0xFFFF))
                .putInt((int) Math.min(cdSize, MAX32)).putInt((int) Math.min(cdOffset, MAX32)).putShort((short) 0);
        writeFully(e.flip());
    }

    private void writeFully(ByteBuffer b) throws IOException {
        while (b.hasRemaining()) {
            channel.write(b);
        }
    }

    /** Adapts a memory segment to a {@link Source}, in chunks. */
    static Source of(MemorySegment data) {
        return sink -> {
            long chunk = 1L << 24;
            for (long p = 0; p < data.byteSize(); p += chunk) {
                sink.write(data.asSlice(p, Math.min(chunk, data.byteSize() - p)).asByteBuffer());
            }
        };
    }
}
