package org.cogview2.checkpoint;

import org.cogview2.api.ModelFormatException;
import org.cogview2.api.ModelNotFoundException;

import java.io.IOException;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * A PyTorch checkpoint as {@code torch.save} writes it, in the zip format (PyTorch 1.6 and later) or the legacy
 * format (a stream of pickles followed by the storages), opened safely and without copying.
 *
 * <p><b>Zero-copy.</b> {@link #open} maps the whole file read-only into a {@link MemorySegment} owned by a
 * shared {@link Arena}; it reads only the zip's central directory, the local headers and {@code data.pkl}.
 * Contiguous tensors are slices of that mapping: no tensor byte is read until it is used, so opening a
 * multi-gigabyte checkpoint costs neither heap nor time proportional to its size. {@link #close()} unmaps it;
 * every tensor segment becomes invalid then.
 *
 * <p><b>Safe.</b> The pickle is read by a weights-only unpickler: only the globals of a {@link PickleAllowList}
 * may appear ({@link ForbiddenGlobalException} otherwise, naming the global and the file) and none of them is
 * ever executed. Everything else is validated before it is exposed: zip structure ({@link ZipFormatException}),
 * pickle syntax ({@link PickleFormatException}), storage and tensor records ({@link TensorRecordException}).
 * Hostile input fails fast against these bounds ({@link CheckpointLimitException}): {@code data.pkl} at most
 * 16 MiB, at most 1 000 000 opcodes, memo indexes below 2^20, text-opcode lines up to 4 096 bytes, integers up
 * to 1 024 bytes, nesting depth 100, tensor rank 32, 100 000 tensor objects, 200 000 zip entries, and bytes
 * copied for non-contiguous or byte-swapped tensors at most the file size plus 64 MiB. Within these bounds one
 * open allocates at most 256 MiB of heap whatever the input (the measured worst case, a million one-character
 * strings, is about 150 MB; real checkpoints need well under 1 MiB). Nothing is ever decompressed: compressed
 * entries are refused.
 *
 * <p>Layout read: entries live under one top-level folder (its name is taken from the first entry); the
 * pickle is {@code <prefix>/data.pkl}, storages {@code <prefix>/data/<key>}, the format version
 * {@code <prefix>/version} (or {@code .data/version}), the optional {@code <prefix>/byteorder}. The CRC-32 of the
 * small metadata records is checked at open; {@link #verifyChecksums()} checks the tensor records on demand.
 * A legacy file is read with the same allow-list and bounds, pickle by pickle; its storages are slices of the
 * mapping where they are aligned to their element size and are copied otherwise ({@link #copiedBytes()}).
 *
 * <p>For a dict holding {@code 'module'} (SAT/DeepSpeed and icetk files) only {@code module} is read as tensors:
 * the training state beside it (optimizer state, RNG states, {@code args}) is inert data whose tensors are
 * {@link OpaqueTensor}s, never copied or read.
 *
 * <p>Instances are immutable and may be shared between threads until closed.
 */
public final class TorchCheckpoint implements AutoCloseable {

    private static final byte[] ZIP_MAGIC = {'P', 'K', 3, 4};
    private static final byte[] EMPTY_ZIP_MAGIC = {'P', 'K', 5, 6};
    private static final int HEAD_BYTES = 16;
    private static final int MAX_SUPPORTED_VERSION = 10;

    /** The two container formats of {@code torch.save}. */
    public enum Format {
        /** A zip archive of {@code data.pkl} and one record per storage (PyTorch 1.6 and later). */
        ZIP,
        /** A stream of pickles followed by the storages (PyTorch before 1.6, or {@code _use_new_zipfile_serialization=False}). */
        LEGACY
    }

    private final Path file;
    private final Arena arena;
    private final Format format;
    private final ZipIndex zip;
    private final List<String> recordNames;
    private final String prefix;
    private final int formatVersion;
    private final ByteOrder byteOrder;
    private final Object root;
    private final long size;
    private final long copiedBytes;
    private volatile Map<String, StoredTensor> stateDict;
    private volatile boolean closed;

    private TorchCheckpoint(Path file, Arena arena, Format format, ZipIndex zip, List<String> recordNames, String prefix,
                            int formatVersion, ByteOrder byteOrder, Object root, long size, long copiedBytes) {
        this.size = size;
        this.file = file;
        this.arena = arena;
        this.format = format;
        this.zip = zip;
        this.recordNames = recordNames;
        this.prefix = prefix;
        this.formatVersion = formatVersion;
        this.byteOrder = byteOrder;
        this.root = root;
        this.copiedBytes = copiedBytes;
    }

    /**
     * Opens a checkpoint with the {@linkplain PickleAllowList#weightsOnly() weights-only} allow-list.
     *
     * @throws ModelNotFoundException    if the file does not exist
     * @throws ModelFormatException      if it is not a valid checkpoint (a subclass says which layer is at fault)
     * @throws ForbiddenGlobalException  if its pickle names a global outside the allow-list
     */
    public static TorchCheckpoint open(Path file) {
        return open(file, PickleAllowList.weightsOnly());
    }

    /** Opens a checkpoint accepting the globals of {@code allowList}; see {@link #open(Path)}. */
    public static TorchCheckpoint open(Path file, PickleAllowList allowList) {
        return open(file, allowList, Limits.DEFAULT);
    }

    static TorchCheckpoint open(Path file, PickleAllowList allowList, Limits limits) {
        if (!Files.exists(file)) {
            throw new ModelNotFoundException("checkpoint file " + file + " does not exist");
        }
        if (!Files.isRegularFile(file)) {
            throw new ModelFormatException(file, "not a regular file");
        }
        Arena arena = Arena.ofShared();
        try (FileChannel ch = FileChannel.open(file, StandardOpenOption.READ)) {
            long size = ch.size();
            ByteBuffer head = ByteBuffer.allocate((int) Math.min(size, HEAD_BYTES));
            while (head.hasRemaining() && ch.read(head, head.position()) > 0) {
                // read the first bytes
            }
            Format format = detect(file, head.array(), size);
            MemorySegment mapping = ch.map(FileChannel.MapMode.READ_ONLY, 0, size, arena);
            ZipIndex.HeaderSource headers = (offset, length) -> {
                ByteBuffer b = ByteBuffer.allocate(length);
                try {
                    while (b.hasRemaining() && ch.read(b, offset + b.position()) > 0) {
                        // positional reads: no page of the mapping is touched
                    }
                } catch (IOException e) {
                    throw new java.io.UncheckedIOException(e);
                }
                if (b.hasRemaining()) {
                    throw new ZipFormatException(file, null, "file ended while reading a local header at offset "
                            + offset + " (it changed while being read?)");
                }
                return b.array();
            };
            return format == Format.LEGACY ? parseLegacy(file, mapping, arena, allowList, limits)
                    : parse(file, mapping, arena, allowList, limits, headers);
        } catch (java.io.UncheckedIOException e) {
            arena.close();
            throw new ModelFormatException(file, "cannot read: " + e.getCause().getMessage(), e.getCause());
        } catch (IOException e) {
            arena.close();
            throw new ModelFormatException(file, "cannot read: " + e.getMessage(), e);
        } catch (RuntimeException | Error e) {
            arena.close();
            throw e;
        }
    }

    /** Parses a checkpoint held in {@code bytes}; tensors are slices of it, copies are allocated in {@code arena}. */
    static TorchCheckpoint parse(Path file, MemorySegment bytes, Arena arena, PickleAllowList allowList, Limits limits) {
        byte[] head = bytes.asSlice(0, Math.min(bytes.byteSize(), HEAD_BYTES)).toArray(ValueLayout.JAVA_BYTE);
        if (detect(file, head, bytes.byteSize()) == Format.LEGACY) {
            return parseLegacy(file, bytes, arena, allowList, limits);
        }
        return parse(file, bytes, arena, allowList, limits,
                (offset, length) -> bytes.asSlice(offset, length).toArray(ValueLayout.JAVA_BYTE));
    }

    private static TorchCheckpoint parseLegacy(Path file, MemorySegment bytes, Arena arena, PickleAllowList allowList,
                                               Limits limits) {
        LegacyFormat.Parsed p = LegacyFormat.read(file, bytes, allowList, limits);
        String entry = "legacy object pickle";
        TreeBuilder tree = new TreeBuilder(file, entry, limits, arena, false,
                bytes.byteSize() + limits.maxCopiedBytesOverFileSize(), p.objectReader()::isMarker);
        Object root = tree.build(p.root());
        return new TorchCheckpoint(file, arena, Format.LEGACY, null, p.storageKeys(), "",
                LegacyFormat.PROTOCOL_VERSION, ByteOrder.LITTLE_ENDIAN, root, bytes.byteSize(), tree.copiedBytes());
    }

    private static TorchCheckpoint parse(Path file, MemorySegment bytes, Arena arena, PickleAllowList allowList,
                                         Limits limits, ZipIndex.HeaderSource headers) {
        ZipIndex zip = ZipIndex.read(file, bytes, headers);
        String first = zip.entries().getFirst().name();
        int slash = first.indexOf('/');
        if (slash <= 0) {
            throw new ZipFormatException(file, first, "the first entry is not inside a top-level folder "
                    + "(torch.save puts every record under <prefix>/)");
        }
        String prefix = first.substring(0, slash);
        String pklName = prefix + "/data.pkl";
        ZipIndex.Entry pkl = zip.get(pklName);
        if (pkl == null) {
            throw new ZipFormatException(file, pklName, "missing: the archive has no pickle record (entries: "
                    + summarize(zip) + ")");
        }
        zip.verifyCrc(pkl);
        int version = readVersion(file, zip, prefix);
        ByteOrder order = readByteOrder(file, zip, prefix);
        SafeUnpickler unpickler = new SafeUnpickler(file, pklName, allowList, limits,
                new SafeUnpickler.StorageRecords() {
                    @Override
                    public MemorySegment find(String key) {
                        ZipIndex.Entry e = zip.get(recordName(key));
                        return e == null ? null : zip.data(e);
                    }

                    @Override
                    public String recordName(String key) {
                        return prefix + "/data/" + key;
                    }
                });
        Object raw = unpickler.unpickle(zip.data(pkl));
        TreeBuilder tree = new TreeBuilder(file, pklName, limits, arena, order == ByteOrder.BIG_ENDIAN,
                bytes.byteSize() + limits.maxCopiedBytesOverFileSize(), unpickler::isMarker);
        Object root = tree.build(raw);
        List<String> names = zip.entries().stream().map(ZipIndex.Entry::name).toList();
        return new TorchCheckpoint(file, arena, Format.ZIP, zip, names, prefix, version, order, root,
                bytes.byteSize(), tree.copiedBytes());
    }

    private static Format detect(Path file, byte[] head, long size) {
        if (startsWith(head, ZIP_MAGIC)) {
            return Format.ZIP;
        }
        if (LegacyFormat.looksLike(head)) {
            return Format.LEGACY;
        }
        if (size == 0) {
            throw new ZipFormatException(file, null, "the file is empty");
        }
        if (startsWith(head, EMPTY_ZIP_MAGIC)) {
            throw new ZipFormatException(file, null, "the zip archive is empty (no records)");
        }
        if (startsWith(head, "PYTORCH1".getBytes(StandardCharsets.US_ASCII))) {
            throw new ZipFormatException(file, null, "the 'PYTORCH1' preview format is not supported");
        }
        StringBuilder hex = new StringBuilder();
        for (int i = 0; i < Math.min(4, head.length); i++) {
            hex.append(String.format("%02X ", head[i]));
        }
        throw new ZipFormatException(file, null, "not a PyTorch checkpoint: it starts with bytes "
                + hex.toString().strip() + ", expected 50 4B 03 04 (\"PK\\3\\4\", the zip format) or a pickle "
                + "(80 02, the legacy format)");
    }

    private static boolean startsWith(byte[] a, byte[] prefix) {
        if (a.length < prefix.length) {
            return false;
        }
        for (int i = 0; i < prefix.length; i++) {
            if (a[i] != prefix[i]) {
                return false;
            }
        }
        return true;
    }

    private static String smallRecord(Path file, ZipIndex zip, ZipIndex.Entry e) {
        if (e.size() > 64) {
            throw new ZipFormatException(file, e.name(), "record of " + e.size() + " bytes is too long (at most 64)");
        }
        zip.verifyCrc(e);
        byte[] b = zip.data(e).toArray(ValueLayout.JAVA_BYTE);
        for (byte x : b) {
            if (x < 0x09 || x > 0x7e) {
                throw new ZipFormatException(file, e.name(), "record is not printable ASCII");
            }
        }
        return new String(b, StandardCharsets.US_ASCII).strip();
    }

    private static int readVersion(Path file, ZipIndex zip, String prefix) {
        ZipIndex.Entry e = zip.get(prefix + "/version");
        if (e == null) {
            e = zip.get(prefix + "/.data/version");
        }
        if (e == null) {
            throw new ZipFormatException(file, prefix + "/version", "missing: every torch.save archive records its "
                    + "format version");
        }
        String text = smallRecord(file, zip, e);
        if (!text.matches("[0-9]{1,3}")) {
            throw new ZipFormatException(file, e.name(), "format version '" + text + "' is not a decimal number");
        }
        int v = Integer.parseInt(text);
        if (v < 1 || v > MAX_SUPPORTED_VERSION) {
            throw new ZipFormatException(file, e.name(), "format version " + v + " is not supported (1 to "
                    + MAX_SUPPORTED_VERSION + ")");
        }
        return v;
    }

    private static ByteOrder readByteOrder(Path file, ZipIndex zip, String prefix) {
        ZipIndex.Entry e = zip.get(prefix + "/byteorder");
        if (e == null) {
            return ByteOrder.LITTLE_ENDIAN;
        }
        String text = smallRecord(file, zip, e);
        return switch (text) {
            case "little" -> ByteOrder.LITTLE_ENDIAN;
            case "big" -> ByteOrder.BIG_ENDIAN;
            default -> throw new ZipFormatException(file, e.name(), "byte order '" + text
                    + "' is neither 'little' nor 'big'");
        };
    }

    private static String summarize(ZipIndex zip) {
        List<String> names = new ArrayList<>();
        for (ZipIndex.Entry e : zip.entries()) {
            if (names.size() == 5) {
                names.add("... " + (zip.entries().size() - 5) + " more");
                break;
            }
            names.add(e.name());
        }
        return String.join(", ", names);
    }

    /** The checkpoint file. */
    public Path file() {
        return file;
    }

    /**
     * The unpickled object: {@code Map<Object, Object>} (dicts and OrderedDicts, unmodifiable, in insertion
     * order; keys are {@link String}s in checkpoints, possibly {@link Long}s or tuples elsewhere),
     * {@code List<Object>} (lists and tuples, unmodifiable), {@link String}, {@link Long} (a
     * {@link java.math.BigInteger} beyond 64 bits), {@link Double}, {@link Boolean}, {@code null}, {@code byte[]}
     * (Python bytes), {@link StoredTensor}, {@link OpaqueTensor}, or an {@link InertObject} placeholder for an
     * allow-listed non-data object such as a set.
     */
    public Object root() {
        checkOpen();
        return root;
    }

    /**
     * The state dict: {@code root['module']} when the root is a dict holding {@code 'module'} (the SAT and icetk
     * layouts), otherwise the root itself when it is a dict of tensors. Keys keep the file's order.
     *
     * @throws StateDictMismatchException listing every entry that is not a string key with a tensor of a
     *                                    supported dtype, or when neither layout applies
     */
    public Map<String, StoredTensor> stateDict() {
        checkOpen();
        Map<String, StoredTensor> sd = stateDict;
        if (sd == null) {
            sd = extractStateDict();
            stateDict = sd;
        }
        return sd;
    }

    private Map<String, StoredTensor> extractStateDict() {
        String what = "tensors of F32, F16, BF16, I64 or I32 under string keys";
        if (!(root instanceof Map<?, ?> top)) {
            throw new StateDictMismatchException(file, what, List.of("the checkpoint's root is " + kind(root)
                    + ", expected a dict (a state dict, or a dict holding one under 'module')"));
        }
        Map<?, ?> candidate = top;
        String where = "root";
        if (top.containsKey("module")) {
            Object m = top.get("module");
            if (!(m instanceof Map<?, ?> module)) {
                throw new StateDictMismatchException(file, what, List.of("root['module'] is " + kind(m)
                        + ", expected a dict of tensors"));
            }
            candidate = module;
            where = "root['module']";
        }
        List<String> problems = new ArrayList<>();
        Map<String, StoredTensor> out = new LinkedHashMap<>();
        for (Map.Entry<?, ?> e : candidate.entrySet()) {
            if (!(e.getKey() instanceof String key)) {
                problems.add(where + " has a key " + e.getKey() + " that is not a string");
                continue;
            }
            switch (e.getValue()) {
                case StoredTensor t -> out.put(key, t);
                case OpaqueTensor o -> problems.add("'" + key + "' is a tensor of " + o.storageType()
                        + ", an element type the SDK does not support (expected F32, F16, BF16, I64 or I32)");
                case null, default -> problems.add("'" + key + "' is " + kind(e.getValue()) + ", not a tensor");
            }
            if (problems.size() >= 50) {
                problems.add("... (stopped after 50 problems)");
                break;
            }
        }
        if (!problems.isEmpty()) {
            throw new StateDictMismatchException(file, what, problems);
        }
        return Collections.unmodifiableMap(out);
    }

    private static String kind(Object o) {
        return switch (o) {
            case null -> "None";
            case Map<?, ?> m -> "a dict";
            case NumpyArray a -> "a numpy array";
            case List<?> l -> "a list";
            case String s -> "a string";
            case InertObject i -> "an object of " + i.global();
            default -> "a " + o.getClass().getSimpleName();
        };
    }

    /** The container format the file was written in. */
    public Format format() {
        return format;
    }

    /**
     * The top-level folder of the archive's entries (e.g. {@code mp_rank_00_model_states} or {@code archive});
     * empty for a legacy file.
     */
    public String prefix() {
        return prefix;
    }

    /**
     * The archive's format version record (3 for files written by PyTorch 1.6 to 2.x); for a legacy file its
     * protocol version, 1001.
     */
    public int formatVersion() {
        return formatVersion;
    }

    /**
     * Bytes of tensor data copied off-heap at open because a tensor could not be a view of the mapping: a
     * non-contiguous view, a big-endian file, or a legacy storage not aligned to its element size. 0 for the
     * files {@code torch.save} writes in the zip format.
     */
    public long copiedBytes() {
        return copiedBytes;
    }

    /** Byte order of the stored tensors per the {@code byteorder} record (little-endian when absent). */
    public ByteOrder byteOrder() {
        return byteOrder;
    }

    /** Names of the archive's records, in central-directory order; for a legacy file, its storage keys in file order. */
    public List<String> recordNames() {
        return recordNames;
    }

    /** Size of the mapped file in bytes. */
    public long fileSize() {
        return size;
    }

    /**
     * Checks the CRC-32 of every record against the central directory. This reads the whole file (time
     * proportional to its size), so it is not done by {@link #open}. A legacy file has no checksums: nothing to do.
     *
     * @throws ZipFormatException naming the first record whose checksum does not match
     */
    public void verifyChecksums() {
        checkOpen();
        if (zip == null) {
            return;
        }
        for (ZipIndex.Entry e : zip.entries()) {
            zip.verifyCrc(e);
        }
    }

    /** Whether {@link #close()} was called. */
    public boolean isClosed() {
        return closed;
    }

    /** Unmaps the file and frees copies; every tensor segment of this checkpoint becomes invalid. Idempotent. */
    @Override
    public void close() {
        synchronized (this) {
            if (closed) {
                return;
            }
            closed = true;
        }
        arena.close();
    }

    private void checkOpen() {
        if (closed) {
            throw new IllegalStateException("checkpoint " + file + " is closed");
        }
    }

    @Override
    public String toString() {
        return "TorchCheckpoint[" + file + ", " + format + ", " + recordNames.size() + " records"
                + (copiedBytes > 0 ? ", " + copiedBytes + " bytes copied" : "") + (closed ? ", closed" : "") + "]";
    }
}
