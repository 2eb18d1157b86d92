package org.cogview2.checkpoint;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteOrder;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.zip.CRC32;

/**
 * The central directory of a zip file held in a memory segment, validated strictly against what
 * {@code torch.save} writes (miniz, stored entries, optional ZIP64). Nothing is decompressed and nothing is
 * copied: each entry is described by the offset and length of its bytes in the segment.
 */
final class ZipIndex {

    static final int LOCAL_HEADER_SIG = 0x04034b50;
    static final int CENTRAL_HEADER_SIG = 0x02014b50;
    static final int EOCD_SIG = 0x06054b50;
    static final int ZIP64_EOCD_SIG = 0x06064b50;
    static final int ZIP64_LOCATOR_SIG = 0x07064b50;
    static final int EOCD_SIZE = 22;
    static final int LOCAL_HEADER_SIZE = 30;
    static final int CENTRAL_HEADER_SIZE = 46;
    static final int ZIP64_EOCD_SIZE = 56;
    static final int ZIP64_LOCATOR_SIZE = 20;
    /** Upper bound on the number of entries (a 48-layer SAT checkpoint has about 800). */
    static final int MAX_ENTRIES = 200_000;

    private static final ValueLayout.OfShort U16 = ValueLayout.JAVA_SHORT_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);
    private static final ValueLayout.OfInt U32 = ValueLayout.JAVA_INT_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);
    private static final ValueLayout.OfLong U64 = ValueLayout.JAVA_LONG_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);

    /** One stored entry: its name, where its bytes are, their length and the CRC-32 the directory records. */
    record Entry(String name, long localHeaderOffset, long dataOffset, long size, int crc32) {
        long dataEnd() {
            return dataOffset + size;
        }
    }

    private final Path file;
    private final MemorySegment zip;
    private final Map<String, Entry> entries;
    private final List<Entry> ordered;

    private ZipIndex(Path file, MemorySegment zip, List<Entry> ordered) {
        this.file = file;
        this.zip = zip;
        this.ordered = Collections.unmodifiableList(ordered);
        Map<String, Entry> byName = new LinkedHashMap<>();
        for (Entry e : ordered) {
            byName.put(e.name(), e);
        }
        this.entries = Collections.unmodifiableMap(byName);
    }

    /** Entries in central-directory order. */
    List<Entry> entries() {
        return ordered;
    }

    /** The entry with that exact name, or {@code null}. */
    Entry get(String name) {
        return entries.get(name);
    }

    /** A zero-copy view of an entry's bytes. */
    MemorySegment data(Entry e) {
        return zip.asSlice(e.dataOffset(), e.size());
    }

    /** Checks an entry's bytes against the CRC-32 of the central directory (reads all its bytes). */
    void verifyCrc(Entry e) {
        int actual = crc32(data(e));
        if (actual != e.crc32()) {
            throw new ZipFormatException(file, e.name(), String.format(
                    "CRC-32 mismatch: central directory says %08x, data has %08x (corrupted or tampered entry)",
                    e.crc32(), actual));
        }
    }

    static int crc32(MemorySegment data) {
        CRC32 crc = new CRC32();
        long chunk = 1L << 30;
        for (long pos = 0; pos < data.byteSize(); pos += chunk) {
            crc.update(data.asSlice(pos, Math.min(chunk, data.byteSize() - pos)).asByteBuffer());
        }
        return (int) crc.getValue();
    }

    /**
     * Reads bytes at an offset of the archive. Local headers are scattered through a multi-gigabyte file, one
     * before each tensor; reading them through the mapping would fault in (and keep resident) pages around each
     * of them, so {@link TorchCheckpoint#open} reads them with positional file reads instead.
     */
    interface HeaderSource {
        /** Exactly {@code length} bytes at {@code offset} (the range was checked to lie inside the file). */
        byte[] read(long offset, int length);
    }

    /** Reads and validates the central directory and every local header (read from the segment itself). */
    static ZipIndex read(Path file, MemorySegment zip) {
        return read(file, zip, (offset, length) -> zip.asSlice(offset, length).toArray(ValueLayout.JAVA_BYTE));
    }

    /** Reads and validates the central directory and every local header, the latter through {@code headers}. */
    static ZipIndex read(Path file, MemorySegment zip, HeaderSource headers) {
        return new Reader(file, zip, headers).read();
    }

    private static final class Reader {
        private final Path file;
        private final MemorySegment zip;
        private final HeaderSource headers;
        private final long size;

        Reader(Path file, MemorySegment zip, HeaderSource headers) {
            this.file = file;
            this.zip = zip;
            this.headers = headers;
            this.size = zip.byteSize();
        }

        private ZipFormatException fail(String entry, String problem) {
            return new ZipFormatException(file, entry, problem);
        }

        private int u16(long pos) {
            return Short.toUnsignedInt(zip.get(U16, pos));
        }

        private long u32(long pos) {
            return Integer.toUnsignedLong(zip.get(U32, pos));
        }

        private int i32(long pos) {
            return zip.get(U32, pos);
        }

        private long u64(long pos, String what) {
            long v = zip.get(U64, pos);
            if (v < 0) {
                throw fail(null, what + " " + Long.toUnsignedString(v) + " does not fit a file offset");
            }
            return v;
        }

        ZipIndex read() {
            if (size < EOCD_SIZE) {
                throw fail(null, "file of " + size + " bytes is too short to be a zip archive (at least "
                        + EOCD_SIZE + " bytes needed)");
            }
            long eocd = findEndOfCentralDirectory();
            int diskNumber = u16(eocd + 4);
            int cdDisk = u16(eocd + 6);
            long entriesOnDisk = u16(eocd + 8);
            long entryCount = u16(eocd + 10);
            long cdSize = u32(eocd + 12);
            long cdOffset = u32(eocd + 16);
            long cdLimit = eocd; // the central directory must end before this
            long locator = eocd - ZIP64_LOCATOR_SIZE;
            if (locator >= 0 && i32(locator) == ZIP64_LOCATOR_SIG) {
                long z64Disk = u32(locator + 4);
                long z64Offset = u64(locator + 8, "ZIP64 end-of-central-directory offset");
                long totalDisks = u32(locator + 16);
                if (z64Disk != 0 || totalDisks > 1) {
                    throw fail(null, "multi-disk (spanned) archives are not supported: ZIP64 locator names disk "
                            + z64Disk + " of " + totalDisks);
                }
                if (z64Offset > locator - ZIP64_EOCD_SIZE) {
                    throw fail(null, "ZIP64 end-of-central-directory offset " + z64Offset
                            + " is out of range (the record must end before byte " + locator + ")");
                }
                if (i32(z64Offset) != ZIP64_EOCD_SIG) {
                    throw fail(null, String.format("no ZIP64 end-of-central-directory record at offset %d "
                            + "(found signature %08x, expected %08x)", z64Offset, i32(z64Offset), ZIP64_EOCD_SIG));
                }
                diskNumber = (int) Math.min(Integer.MAX_VALUE, u32(z64Offset + 16));
                cdDisk = (int) Math.min(Integer.MAX_VALUE, u32(z64Offset + 20));
                entriesOnDisk = u64(z64Offset + 24, "ZIP64 entry count");
                entryCount = u64(z64Offset + 32, "ZIP64 entry count");
                cdSize = u64(z64Offset + 40, "ZIP64 central directory size");
                cdOffset = u64(z64Offset + 48, "ZIP64 central directory offset");
                cdLimit = z64Offset;
            }
            if (diskNumber != 0 || cdDisk != 0 || entriesOnDisk != entryCount) {
                throw fail(null, "multi-disk (spanned) archives are not supported (disk " + diskNumber
                        + ", central directory on disk " + cdDisk + ", " + entriesOnDisk + " of " + entryCount
                        + " entries on this disk)");
            }
            if (cdOffset > cdLimit || cdSize > cdLimit - cdOffset) {
                throw fail(null, "central directory (offset " + cdOffset + ", " + cdSize
                        + " bytes) lies outside the file: it must end by byte " + cdLimit
                        + " (file of " + size + " bytes; truncated or corrupted)");
            }
            if (entryCount > MAX_ENTRIES) {
                throw new CheckpointLimitException(file, null, "maxZipEntries", "archive claims " + entryCount
                        + " entries; at most " + MAX_ENTRIES + " are accepted");
            }
            if (entryCount * CENTRAL_HEADER_SIZE > cdSize) {
                throw fail(null, "central directory of " + cdSize + " bytes cannot hold the " + entryCount
                        + " entries the end record claims (" + CENTRAL_HEADER_SIZE + " bytes each at least)");
            }
            List<Entry> list = new ArrayList<>((int) entryCount);
            Map<String, Boolean> seen = new LinkedHashMap<>();
            long pos = cdOffset;
            long cdEnd = cdOffset + cdSize;
            for (long i = 0; i < entryCount; i++) {
                Entry e = readCentralEntry(pos, cdEnd, i, cdOffset);
                if (seen.put(e.name(), Boolean.TRUE) != null) {
                    throw fail(e.name(), "duplicate entry name in the central directory (entry " + i + ")");
                }
                list.add(e);
                pos = nextCentral;
            }
            if (pos != cdEnd) {
                throw fail(null, "central directory holds " + (cdEnd - pos) + " bytes after its " + entryCount
                        + " entries (entry count and directory size disagree)");
            }
            checkNoOverlap(list, cdOffset);
            return new ZipIndex(file, zip, list);
        }

        private long nextCentral;

        private Entry readCentralEntry(long pos, long cdEnd, long index, long cdOffset) {
            if (pos + CENTRAL_HEADER_SIZE > cdEnd) {
                throw fail(null, "central directory entry " + index + " at offset " + pos
                        + " runs past the end of the directory (byte " + cdEnd + ")");
            }
            if (i32(pos) != CENTRAL_HEADER_SIG) {
                throw fail(null, String.format("central directory entry %d at offset %d has signature %08x, "
                        + "expected %08x", index, pos, i32(pos), CENTRAL_HEADER_SIG));
            }
            int flags = u16(pos + 8);
            int method = u16(pos + 10);
            int crc = i32(pos + 16);
            long compressed = u32(pos + 20);
            long uncompressed = u32(pos + 24);
            int nameLen = u16(pos + 28);
            int extraLen = u16(pos + 30);
            int commentLen = u16(pos + 32);
            long diskStart = u16(pos + 34);
            long localOffset = u32(pos + 42);
            long end = pos + CENTRAL_HEADER_SIZE + nameLen + extraLen + commentLen;
            if (end > cdEnd) {
                throw fail(null, "central directory entry " + index + " (name, extra field and comment of "
                        + (nameLen + extraLen + commentLen) + " bytes) runs past the end of the directory");
            }
            String name = decodeName(pos + CENTRAL_HEADER_SIZE, nameLen, index);
            // ZIP64 extended information: present fields follow the order usize, csize, offset, disk.
            long extra = pos + CENTRAL_HEADER_SIZE + nameLen;
            long extraEnd = extra + extraLen;
            boolean needUsize = uncompressed == 0xFFFFFFFFL;
            boolean needCsize = compressed == 0xFFFFFFFFL;
            boolean needOffset = localOffset == 0xFFFFFFFFL;
            boolean needDisk = diskStart == 0xFFFF;
            if (needUsize || needCsize || needOffset || needDisk) {
                boolean found = false;
                long p = extra;
                while (p + 4 <= extraEnd) {
                    int id = u16(p);
                    int len = u16(p + 2);
                    if (p + 4 + len > extraEnd) {
                        throw fail(name, "extra field of id 0x" + Integer.toHexString(id) + " (" + len
                                + " bytes) runs past the entry's extra data");
                    }
                    if (id == 0x0001) {
                        long q = p + 4;
                        long qEnd = q + len;
                        if (needUsize) {
                            uncompressed = zip64Field(q, qEnd, name, "uncompressed size");
                            q += 8;
                        }
                        if (needCsize) {
                            compressed = zip64Field(q, qEnd, name, "compressed size");
                            q += 8;
                        }
                        if (needOffset) {
                            localOffset = zip64Field(q, qEnd, name, "local header offset");
                            q += 8;
                        }
                        if (needDisk) {
                            if (q + 4 > qEnd) {
                                throw fail(name, "ZIP64 extra field too short for the disk number");
                            }
                            diskStart = u32(q);
                        }
                        found = true;
                        break;
                    }
                    p += 4 + len;
                }
                if (!found) {
                    throw fail(name, "sizes or offset are saturated (0xFFFFFFFF) but the entry has no ZIP64 extra "
                            + "field giving the real values");
                }
            }
            if (diskStart != 0) {
                throw fail(name, "entry starts on disk " + diskStart + "; multi-disk archives are not supported");
            }
            if ((flags & 0x0001) != 0 || (flags & 0x0040) != 0) {
                throw fail(name, "entry is encrypted (general-purpose flags 0x" + Integer.toHexString(flags)
                        + "); torch.save never encrypts");
            }
            if (method != 0) {
                throw fail(name, "entry is compressed (method " + method + "); torch.save stores every record "
                        + "uncompressed and this reader never inflates data (zip-bomb safe)");
            }
            if (compressed != uncompressed) {
                throw fail(name, "stored entry has compressed size " + compressed + " but uncompressed size "
                        + uncompressed + " (they must be equal)");
            }
            if (localOffset > cdOffset - LOCAL_HEADER_SIZE || cdOffset < LOCAL_HEADER_SIZE) {
                throw fail(name, "local header offset " + localOffset + " is out of range (the local header "
                        + "must end before the central directory at byte " + cdOffset + ")");
            }
            // Local header: signature, same name; its extra length (torch's alignment padding) differs.
            int localLen = (int) Math.min(LOCAL_HEADER_SIZE + nameLen, cdOffset - localOffset);
            java.nio.ByteBuffer local = java.nio.ByteBuffer.wrap(headers.read(localOffset, localLen))
                    .order(java.nio.ByteOrder.LITTLE_ENDIAN);
            if (local.getInt(0) != LOCAL_HEADER_SIG) {
                throw fail(name, String.format("no local header at offset %d (found signature %08x, expected %08x)",
                        localOffset, local.getInt(0), LOCAL_HEADER_SIG));
            }
            int localMethod = Short.toUnsignedInt(local.getShort(8));
            int localNameLen = Short.toUnsignedInt(local.getShort(26));
            int localExtraLen = Short.toUnsignedInt(local.getShort(28));
            if (localMethod != 0) {
                throw fail(name, "local header says compression method " + localMethod
                        + "; only stored (0) entries are accepted");
            }
            if (localNameLen != nameLen || localLen < LOCAL_HEADER_SIZE + nameLen
                    || !local.slice(LOCAL_HEADER_SIZE, nameLen)
                    .equals(zip.asSlice(pos + CENTRAL_HEADER_SIZE, nameLen).asByteBuffer())) {
                throw fail(name, "local header at offset " + localOffset + " names a different entry than the "
                        + "central directory");
            }
            long dataOffset = localOffset + LOCAL_HEADER_SIZE + localNameLen + localExtraLen;
            if (dataOffset > cdOffset) {
                throw fail(name, "local header at offset " + localOffset + " (name " + localNameLen
                        + " bytes, extra " + localExtraLen + " bytes) runs into the central directory");
            }
            if (uncompressed > cdOffset - dataOffset) {
                throw fail(name, "entry data (offset " + dataOffset + ", " + uncompressed + " bytes) runs past the "
                        + "start of the central directory at byte " + cdOffset + " (truncated file or bad size)");
            }
            nextCentral = end;
            return new Entry(name, localOffset, dataOffset, uncompressed, crc);
        }

        private long zip64Field(long q, long qEnd, String name, String what) {
            if (q + 8 > qEnd) {
                throw fail(name, "ZIP64 extra field too short for the " + what);
            }
            return u64(q, "ZIP64 " + what + " of " + name);
        }

        private String decodeName(long pos, int len, long index) {
            if (len == 0) {
                throw fail(null, "central directory entry " + index + " has an empty name");
            }
            byte[] raw = zip.asSlice(pos, len).toArray(ValueLayout.JAVA_BYTE);
            try {
                String s = StandardCharsets.UTF_8.newDecoder()
                        .onMalformedInput(CodingErrorAction.REPORT)
                        .onUnmappableCharacter(CodingErrorAction.REPORT)
                        .decode(java.nio.ByteBuffer.wrap(raw)).toString();
                if (s.indexOf('\0') >= 0) {
                    throw fail(null, "central directory entry " + index + " has a name containing NUL");
                }
                return s;
            } catch (CharacterCodingException e) {
                throw fail(null, "central directory entry " + index + " has a name that is not valid UTF-8");
            }
        }

        private long findEndOfCentralDirectory() {
            long lowest = Math.max(0, size - EOCD_SIZE - 0xFFFF);
            for (long pos = size - EOCD_SIZE; pos >= lowest; pos--) {
                if (i32(pos) == EOCD_SIG && pos + EOCD_SIZE + u16(pos + 20) == size) {
                    return pos;
                }
            }
            throw fail(null, "no end-of-central-directory record in the last " + (size - lowest)
                    + " bytes: the file is truncated or is not a zip archive");
        }

        private void checkNoOverlap(List<Entry> list, long cdOffset) {
            List<Entry> byOffset = new ArrayList<>(list);
            byOffset.sort(Comparator.comparingLong(Entry::localHeaderOffset));
            for (int i = 1; i < byOffset.size(); i++) {
                Entry prev = byOffset.get(i - 1);
                Entry cur = byOffset.get(i);
                if (cur.localHeaderOffset() < prev.dataEnd()) {
                    throw fail(cur.name(), "entry (local header at " + cur.localHeaderOffset()
                            + ") overlaps entry " + prev.name() + " (data " + prev.dataOffset() + ".."
                            + prev.dataEnd() + ")");
                }
            }
        }
    }
}
