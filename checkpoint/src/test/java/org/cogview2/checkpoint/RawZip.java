package org.cogview2.checkpoint;

import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;
import java.util.zip.CRC32;

/**
 * Builds zip archives byte by byte with every field under the test's control, to craft valid checkpoints and
 * each kind of malformed container. Defaults mirror torch.save: stored entries, 64-byte aligned data, a ZIP64
 * end record and locator.
 */
final class RawZip {

    /** One entry and the knobs to break it. */
    static final class Entry {
        String name;
        byte[] data;
        int method = 0;
        int flags = 0;
        Integer crc;             // null: computed
        Long centralSize;        // both sizes in the central directory
        Long centralCompressed;  // compressed size only
        Long localOffset;        // central directory's local header offset
        String localName;        // name in the local header
        Integer localSignature;
        boolean zip64Central;    // saturate sizes and offset, give them in a ZIP64 extra field
        boolean zip64ExtraMissing; // saturate but omit the ZIP64 extra field
        int diskStart = 0;
        boolean align = true;

        Entry(String name, byte[] data) {
            this.name = name;
            this.data = data;
        }
    }

    final List<Entry> entries = new ArrayList<>();
    Long cdOffset;
    Long cdSize;
    Integer entryCount;
    Integer centralSignatureOfFirst;
    boolean zip64End = true;
    Long zip64EocdOffset;
    Integer zip64Signature;
    int disk = 0;
    byte[] comment = new byte[0];
    byte[] junkBeforeCentral = new byte[0];

    RawZip add(String name, byte[] data) {
        entries.add(new Entry(name, data));
        return this;
    }

    RawZip add(String name, byte[] data, Consumer<Entry> tweak) {
        Entry e = new Entry(name, data);
        tweak.accept(e);
        entries.add(e);
        return this;
    }

    Entry entry(String name) {
        return entries.stream().filter(e -> e.name.equals(name)).findFirst().orElseThrow();
    }

    /** A checkpoint archive: prefix/data.pkl, prefix/data/key..., prefix/version. */
    static RawZip checkpoint(String prefix, byte[] pickle, Map<String, byte[]> storages) {
        RawZip z = new RawZip().add(prefix + "/data.pkl", pickle);
        for (Map.Entry<String, byte[]> e : storages.entrySet()) {
            z.add(prefix + "/data/" + e.getKey(), e.getValue());
        }
        return z.add(prefix + "/version", "3\n".getBytes(StandardCharsets.US_ASCII));
    }

    static RawZip checkpoint(byte[] pickle) {
        return checkpoint("archive", pickle, new LinkedHashMap<>());
    }

    byte[] build() {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        long[] offsets = new long[entries.size()];
        for (int i = 0; i < entries.size(); i++) {
            Entry e = entries.get(i);
            offsets[i] = out.size();
            byte[] name = (e.localName != null ? e.localName : e.name).getBytes(StandardCharsets.UTF_8);
            int pad = 0;
            if (e.align) {
                long base = offsets[i] + 30 + name.length + 4;
                pad = (int) ((64 - base % 64) % 64);
            }
            int extraLen = e.align ? 4 + pad : 0;
            ByteBuffer h = le(30 + name.length + extraLen);
            h.putInt(e.localSignature != null ? e.localSignature : 0x04034b50).putShort((short) 20)
                    .putShort((short) e.flags).putShort((short) e.method).putShort((short) 0).putShort((short) 0x21)
                    .putInt(crc(e)).putInt(e.data.length).putInt(e.data.length).putShort((short) name.length)
                    .putShort((short) extraLen).put(name);
            if (e.align) {
                h.putShort((short) 0x4246).putShort((short) pad);
                for (int k = 0; k < pad; k++) {
                    h.put((byte) 'Z');
                }
            }
            out.writeBytes(h.array());
            out.writeBytes(e.data);
        }
        out.writeBytes(junkBeforeCentral);
        long cdStart = out.size();
        for (int i = 0; i < entries.size(); i++) {
            Entry e = entries.get(i);
            byte[] name = e.name.getBytes(StandardCharsets.UTF_8);
            long size = e.centralSize != null ? e.centralSize : e.data.length;
            long csize = e.centralCompressed != null ? e.centralCompressed : size;
            long lho = e.localOffset != null ? e.localOffset : offsets[i];
            boolean z64 = e.zip64Central || e.zip64ExtraMissing;
            int extraLen = e.zip64Central ? 4 + 24 : 0;
            ByteBuffer c = le(46 + name.length + extraLen);
            int sig = i == 0 && centralSignatureOfFirst != null ? centralSignatureOfFirst : 0x02014b50;
            c.putInt(sig).putShort((short) 20).putShort((short) 20).putShort((short) e.flags)
                    .putShort((short) e.method).putShort((short) 0).putShort((short) 0x21).putInt(crc(e))
                    .putInt((int) (z64 ? 0xFFFFFFFFL : csize)).putInt((int) (z64 ? 0xFFFFFFFFL : size))
                    .putShort((short) name.length).putShort((short) extraLen).putShort((short) 0)
                    .putShort((short) e.diskStart).putShort((short) 0).putInt(0)
                    .putInt((int) (z64 ? 0xFFFFFFFFL : lho)).put(name);
            if (e.zip64Central) {
                c.putShort((short) 1).putShort((short) 24).putLong(size).putLong(csize).putLong(lho);
            }
            out.writeBytes(c.array());
        }
        long cdLen = out.size() - cdStart;
        int n = entryCount != null ? entryCount : entries.size();
        long cdOff = cdOffset != null ? cdOffset : cdStart;
        long cdSz = cdSize != null ? cdSize : cdLen;
        if (zip64End) {
            long eocd64 = out.size();
            ByteBuffer z = le(56 + 20);
            z.putInt(zip64Signature != null ? zip64Signature : 0x06064b50).putLong(44).putShort((short) 45)
                    .putShort((short) 45).putInt(disk).putInt(disk).putLong(n).putLong(n).putLong(cdSz).putLong(cdOff);
            z.putInt(0x07064b50).putInt(0).putLong(zip64EocdOffset != null ? zip64EocdOffset : eocd64).putInt(1);
            out.writeBytes(z.array());
        }
        ByteBuffer end = le(22 + comment.length);
        end.putInt(0x06054b50).putShort((short) disk).putShort((short) disk).putShort((short) n)
                .putShort((short) n).putInt((int) cdSz).putInt((int) cdOff).putShort((short) comment.length).put(comment);
        out.writeBytes(end.array());
        return out.toByteArray();
    }

    private static int crc(Entry e) {
        if (e.crc != null) {
            return e.crc;
        }
        CRC32 c = new CRC32();
        c.update(e.data);
        return (int) c.getValue();
    }

    private static ByteBuffer le(int n) {
        return ByteBuffer.allocate(n).order(ByteOrder.LITTLE_ENDIAN);
    }
}
