package org.cogview2.checkpoint;

import org.cogview2.checkpoint.SafeUnpickler.StorageRef;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.math.BigInteger;
import java.nio.ByteOrder;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The legacy {@code torch.save} format (PyTorch before 1.6, spec 01 §4.4.5): five pickles in a row (the magic number
 * {@code 0x1950a86a20f9469cfc6c}, the protocol version 1001, {@code sys_info}, the object, the sorted list of storage
 * keys), then for each key in that order an int64 little-endian element count and the raw little-endian elements.
 *
 * <p>Each pickle is read by its own {@link SafeUnpickler} with the same allow-list and bounds as a zip archive's
 * {@code data.pkl}. Storages are bound to slices of the mapping, so nothing is read until used; they sit wherever
 * the pickles end, and {@link TreeBuilder} copies the ones not aligned to their element size.
 */
final class LegacyFormat {

    /** The magic number's pickle with protocol 2, as {@code torch.save} writes it (PROTO 2, LONG1 of 10 bytes). */
    static final byte[] MAGIC_PICKLE = {(byte) 0x80, 0x02, (byte) 0x8a, 0x0a, 0x6c, (byte) 0xfc, (byte) 0x9c, 0x46,
            (byte) 0xf9, 0x20, 0x6a, (byte) 0xa8, 0x50, 0x19};
    static final BigInteger MAGIC = new BigInteger("1950a86a20f9469cfc6c", 16);
    static final int PROTOCOL_VERSION = 1001;

    /**
     * Bounds of the pickles around the object, far above what torch writes (a few dozen bytes; some 20 bytes per
     * storage key) and low enough that they add little to the heap bound of the object pickle.
     */
    static final long HEADER_PICKLE_BYTES = 64 << 10;
    static final long KEY_LIST_PICKLE_BYTES = 4 << 20;

    private static final ValueLayout.OfLong I64 = ValueLayout.JAVA_LONG_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);

    /** The object's raw tree, the unpickler that read it (for its MARK test) and the storage keys in file order. */
    record Parsed(Object root, SafeUnpickler objectReader, List<String> storageKeys) {
    }

    private LegacyFormat() {
    }

    /** Whether a file's first bytes are a pickle of protocol 2 to 5, the start of a legacy stream. */
    static boolean looksLike(byte[] head) {
        return head.length >= 2 && (head[0] & 0xFF) == 0x80 && head[1] >= 2 && head[1] <= 5;
    }

    static Parsed read(Path file, MemorySegment bytes, PickleAllowList allowList, Limits limits) {
        Stream s = new Stream(file, bytes, allowList, limits);
        Object magic = s.next("legacy magic number", HEADER_PICKLE_BYTES);
        if (!(magic instanceof BigInteger b && b.equals(MAGIC))) {
            throw new PickleFormatException(file, null, "not a PyTorch checkpoint: neither a zip archive nor the "
                    + "legacy format (its first pickle is " + describe(magic) + ", not torch's magic number "
                    + "0x1950a86a20f9469cfc6c)");
        }
        Object version = s.next("legacy protocol version", HEADER_PICKLE_BYTES);
        if (!Long.valueOf(PROTOCOL_VERSION).equals(version)) {
            throw new PickleFormatException(file, "legacy protocol version", "is " + describe(version)
                    + ", expected " + PROTOCOL_VERSION);
        }
        Object sysInfo = s.next("legacy sys_info", HEADER_PICKLE_BYTES);
        if (!(sysInfo instanceof Map<?, ?> info)) {
            throw new PickleFormatException(file, "legacy sys_info", "is " + describe(sysInfo) + ", expected a dict");
        }
        if (Boolean.FALSE.equals(info.get("little_endian"))) {
            throw new CheckpointFormatException(file, "legacy sys_info", "the file was written on a big-endian "
                    + "machine; such legacy files are not supported");
        }
        SafeUnpickler objectReader = new SafeUnpickler(file, "legacy object (pickle at byte " + s.position + ")",
                allowList, limits);
        Object root = objectReader.unpickleAt(bytes, s.position);
        s.position = objectReader.end();
        Object keyList = s.next("legacy storage keys", KEY_LIST_PICKLE_BYTES);
        List<String> keys = storageKeys(file, keyList, objectReader.storages());
        long pos = s.position;
        long size = bytes.byteSize();
        for (String key : keys) {
            StorageRef ref = objectReader.storages().get(key);
            String where = "legacy storage " + key;
            if (size - pos < 8) {
                throw new TensorRecordException(file, where, "its element count at byte " + pos + " lies beyond the "
                        + "end of the file (" + size + " bytes): the file is truncated");
            }
            long count = bytes.get(I64, pos);
            if (count != ref.numel()) {
                throw new TensorRecordException(file, where, "the file stores " + count + " elements (at byte " + pos
                        + ") but the pickle declares " + ref.numel() + " of " + ref.type().qualifiedName());
            }
            if (count > (size - pos - 8) / ref.type().elementSize) {
                throw new TensorRecordException(file, where, "its " + count + " elements of "
                        + ref.type().qualifiedName() + " from byte " + (pos + 8) + " run past the end of the file ("
                        + size + " bytes): the file is truncated");
            }
            long length = count * ref.type().elementSize; // fits: at most the file size
            ref.bind(bytes.asSlice(pos + 8, length));
            pos += 8 + length;
        }
        return new Parsed(root, objectReader, keys);
    }

    /** The key list must name every storage the object uses, once each, and nothing else (torch asserts it). */
    private static List<String> storageKeys(Path file, Object keyList, Map<String, StorageRef> used) {
        String where = "legacy storage keys";
        if (!(keyList instanceof List<?> list)) {
            throw new PickleFormatException(file, where, "is " + describe(keyList) + ", expected a list of strings");
        }
        List<String> keys = new ArrayList<>();
        Set<String> seen = new HashSet<>();
        for (Object k : list) {
            if (!(k instanceof String key)) {
                throw new PickleFormatException(file, where, "holds " + describe(k) + ", expected strings");
            }
            if (!seen.add(key)) {
                throw new TensorRecordException(file, where, "storage key '" + key + "' is listed twice");
            }
            if (!used.containsKey(key)) {
                throw new TensorRecordException(file, where, "storage key '" + key + "' is listed but the pickle "
                        + "never uses it");
            }
            keys.add(key);
        }
        for (String key : used.keySet()) {
            if (!seen.contains(key)) {
                throw new TensorRecordException(file, where, "storage key '" + key + "' is used by the pickle but "
                        + "its data is not in the file");
            }
        }
        return keys;
    }

    private static String describe(Object o) {
        return switch (o) {
            case null -> "None";
            case String s -> "the string '" + (s.length() > 40 ? s.substring(0, 40) + "..." : s) + "'";
            case Number n -> "the number " + n;
            case Map<?, ?> m -> "a dict";
            case List<?> l -> "a list";
            default -> "a " + o.getClass().getSimpleName();
        };
    }

    /** Reads the plain pickles of the stream one after the other. */
    private static final class Stream {
        private final Path file;
        private final MemorySegment bytes;
        private final PickleAllowList allowList;
        private final Limits limits;
        long position;

        Stream(Path file, MemorySegment bytes, PickleAllowList allowList, Limits limits) {
            this.file = file;
            this.bytes = bytes;
            this.allowList = allowList;
            this.limits = limits;
        }

        Object next(String what, long maxBytes) {
            what = what + " (pickle at byte " + position + ")";
            Limits small = limits.withMaxPickleBytes(Math.min(maxBytes, limits.maxPickleBytes()));
            SafeUnpickler u = new SafeUnpickler(file, what, allowList, small);
            Object raw = u.unpickleAt(bytes, position);
            if (!u.storages().isEmpty()) {
                throw new PickleFormatException(file, what, "holds a persistent id; only the object pickle may");
            }
            position = u.end();
            return new TreeBuilder(file, what, small, null, false, 0, u::isMarker).build(raw);
        }
    }
}
