package org.cogview2.checkpoint;

import org.cogview2.spi.DType;
import org.cogview2.spi.Shape;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.Arrays;
import java.util.IdentityHashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * Writes checkpoints in the real {@code torch.save} zip format, readable by PyTorch and by
 * {@link TorchCheckpoint}: one top-level folder (by default the file name without extension, as
 * {@code torch.save(obj, path)} does), {@code data.pkl} in pickle protocol 2 (dicts whose values are all tensors
 * as {@code collections.OrderedDict}, tensors as {@code torch._utils._rebuild_tensor_v2} over
 * {@code BINPERSID} storages), {@code byteorder}, one stored {@code data/<key>} record per tensor with its data
 * 64-byte aligned, {@code version} 3, and ZIP64 records so that tensors and files beyond 4 GiB work.
 *
 * <p>Tensor data is streamed: a {@link Tensor#generated generated} tensor is produced chunk by chunk, so
 * multi-gigabyte checkpoints are written in constant memory. The file is written next to the target and moved
 * into place when complete.
 *
 * <p>Values accepted in the object tree: {@link Map} (string or integer keys), {@link List} (a Python list),
 * {@code Object[]} (a tuple), {@link String}, {@link Integer}/{@link Long}, {@link Double}/{@link Float},
 * {@link Boolean}, {@code null}, {@code byte[]} (Python bytes), {@link Tensor} and {@link StoredTensor} (re-saved
 * by copy), and the training state the reader returns: {@link NumpyArray} (pickled as numpy does) and the
 * {@link InertObject}s of {@code torch.Size}, {@code argparse.Namespace} and {@code builtins.set}.
 *
 * <p>{@link #saveLegacy} writes the same tree in the legacy (pre-1.6) format.
 */
public final class TorchCheckpointWriter {

    private TorchCheckpointWriter() {
    }

    /** Produces a generated tensor's little-endian bytes, chunk by chunk. */
    @FunctionalInterface
    public interface Filler {
        /**
         * Fills {@code chunk} with the elements {@code firstElement} to
         * {@code firstElement + chunk.byteSize() / dtype.byteSize() - 1}, little-endian.
         */
        void fill(long firstElement, MemorySegment chunk);
    }

    /** The data of one tensor to write: element type, shape and a source of little-endian bytes. */
    public static final class Tensor {
        private final DType dtype;
        private final String storage;
        private final int elementSize;
        private final int[] shape;
        private final long count;
        private final MemorySegment bytes;
        private final Filler filler;

        private Tensor(DType dtype, int[] shape, MemorySegment bytes, Filler filler) {
            this(Objects.requireNonNull(dtype), storageName(dtype), dtype.byteSize(), shape, bytes, filler);
        }

        private Tensor(DType dtype, String storage, int elementSize, int[] shape, MemorySegment bytes, Filler filler) {
            this.dtype = dtype;
            this.storage = storage;
            this.elementSize = elementSize;
            this.shape = shape.clone();
            this.count = Shape.of(shape).elementCount();
            this.bytes = bytes;
            this.filler = filler;
            if (bytes != null && bytes.byteSize() != count * elementSize) {
                throw new IllegalArgumentException("shape " + Arrays.toString(shape) + " of " + storage + " needs "
                        + count * elementSize + " bytes, got " + bytes.byteSize());
            }
        }

        /**
         * A floating tensor from fp32 values, stored as {@code dtype} (F32, or F16/BF16 rounded to nearest even).
         */
        public static Tensor of(DType dtype, int[] shape, float[] values) {
            if (!dtype.isFloating()) {
                throw new IllegalArgumentException(dtype + " is not a floating type; use ofLongs/ofInts");
            }
            checkCount(shape, values.length);
            MemorySegment seg = MemorySegment.ofArray(new byte[values.length * dtype.byteSize()]);
            for (int i = 0; i < values.length; i++) {
                putFloat(seg, dtype, i, values[i]);
            }
            return new Tensor(dtype, shape, seg, null);
        }

        /** An int64 tensor. */
        public static Tensor ofLongs(int[] shape, long[] values) {
            checkCount(shape, values.length);
            MemorySegment seg = MemorySegment.ofArray(new byte[values.length * 8]);
            for (int i = 0; i < values.length; i++) {
                seg.setAtIndex(ValueLayout.JAVA_LONG_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN), i, values[i]);
            }
            return new Tensor(DType.I64, shape, seg, null);
        }

        /** An int32 tensor. */
        public static Tensor ofInts(int[] shape, int[] values) {
            checkCount(shape, values.length);
            MemorySegment seg = MemorySegment.ofArray(new byte[values.length * 4]);
            for (int i = 0; i < values.length; i++) {
                seg.setAtIndex(ValueLayout.JAVA_INT_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN), i, values[i]);
            }
            return new Tensor(DType.I32, shape, seg, null);
        }

        /**
         * A uint8 tensor ({@code torch.ByteStorage}), such as the RNG states {@code torch.get_rng_state()} returns;
         * the SDK reads such tensors back as {@link OpaqueTensor}s.
         */
        public static Tensor ofUint8(int[] shape, byte[] values) {
            checkCount(shape, values.length);
            return new Tensor(null, "ByteStorage", 1, shape, MemorySegment.ofArray(values.clone()), null);
        }

        /** A tensor whose little-endian bytes are already in a segment (not copied; read when written). */
        public static Tensor ofSegment(DType dtype, int[] shape, MemorySegment littleEndianBytes) {
            return new Tensor(dtype, shape, littleEndianBytes, null);
        }

        /** A copy of a tensor read from a checkpoint (its segment must still be open when writing). */
        public static Tensor copyOf(StoredTensor t) {
            return new Tensor(t.dtype(), t.shape(), t.data(), null);
        }

        /** A tensor produced chunk by chunk while it is written: constant memory for any size. */
        public static Tensor generated(DType dtype, int[] shape, Filler filler) {
            return new Tensor(dtype, shape, null, Objects.requireNonNull(filler));
        }

        /** The element type written; {@code null} for a {@linkplain #ofUint8 uint8} tensor. */
        public DType dtype() {
            return dtype;
        }

        /** The dimensions (a copy). */
        public int[] shape() {
            return shape.clone();
        }

        /** Size of the data in bytes. */
        public long byteSize() {
            return count * elementSize;
        }

        private static void checkCount(int[] shape, int n) {
            long count = Shape.of(shape).elementCount();
            if (count != n) {
                throw new IllegalArgumentException("shape " + Arrays.toString(shape) + " holds " + count
                        + " elements, " + n + " values given");
            }
        }

        private void writeTo(ZipWriter.Sink sink) throws IOException {
            if (bytes != null) {
                ZipWriter.of(bytes).writeTo(sink);
                return;
            }
            int es = elementSize;
            long chunkElements = Math.max(1, (8L << 20) / es);
            try (Arena arena = Arena.ofConfined()) {
                MemorySegment buf = arena.allocate(chunkElements * es, 64);
                for (long first = 0; first < count; first += chunkElements) {
                    long n = Math.min(chunkElements, count - first);
                    MemorySegment chunk = buf.asSlice(0, n * es);
                    filler.fill(first, chunk);
                    sink.write(chunk.asByteBuffer());
                }
            }
        }
    }

    /** Stores one fp32 value as element {@code index} of a little-endian segment of {@code dtype}. */
    static void putFloat(MemorySegment seg, DType dtype, long index, float v) {
        switch (dtype) {
            case F32 -> seg.setAtIndex(ValueLayout.JAVA_FLOAT_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN), index, v);
            case F16 -> seg.setAtIndex(ValueLayout.JAVA_SHORT_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN), index,
                    Float.floatToFloat16(v));
            case BF16 -> seg.setAtIndex(ValueLayout.JAVA_SHORT_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN), index,
                    toBfloat16(v));
            default -> throw new IllegalArgumentException(dtype + " is not floating");
        }
    }

    /** fp32 to bf16, round to nearest even (NaN stays NaN). */
    static short toBfloat16(float v) {
        int bits = Float.floatToRawIntBits(v);
        if (Float.isNaN(v)) {
            return (short) ((bits >>> 16) | 0x40);
        }
        int rounded = bits + 0x7FFF + ((bits >>> 16) & 1);
        return (short) (rounded >>> 16);
    }

    /**
     * Writes {@code {'module': OrderedDict(stateDict)}}, the layout of SAT's {@code mp_rank_00_model_states.pt}
     * and icetk's {@code ice_image.pt}.
     *
     * @param stateDict keys to {@link Tensor} or {@link StoredTensor} values, in the order to write
     */
    public static void saveStateDict(Path file, Map<String, ?> stateDict) {
        Map<String, Object> root = new LinkedHashMap<>();
        root.put("module", stateDict);
        save(file, root);
    }

    /** Writes {@code root} with the file name (without extension) as the archive's top-level folder. */
    public static void save(Path file, Object root) {
        String name = file.getFileName().toString();
        int dot = name.lastIndexOf('.');
        save(file, root, dot > 0 ? name.substring(0, dot) : name);
    }

    /** Writes {@code root} under the top-level folder {@code prefix} (PyTorch uses {@code archive} for streams). */
    public static void save(Path file, Object root, String prefix) {
        save(file, root, prefix, Long.MAX_VALUE);
    }

    static void save(Path file, Object root, String prefix, long zip64Threshold) {
        if (prefix.isEmpty() || prefix.contains("/")) {
            throw new IllegalArgumentException("prefix must be a non-empty folder name: '" + prefix + "'");
        }
        Pickling pickling = new Pickling(false);
        byte[] pickle = pickling.pickle(root);
        writeAtomically(file, ch -> {
            ZipWriter zip = new ZipWriter(ch, zip64Threshold);
            zip.add(prefix + "/data.pkl", pickle);
            zip.add(prefix + "/byteorder", "little".getBytes(StandardCharsets.US_ASCII));
            for (Map.Entry<String, Tensor> e : pickling.storages.entrySet()) {
                Tensor t = e.getValue();
                zip.add(prefix + "/data/" + e.getKey(), t.byteSize(), t::writeTo);
            }
            zip.add(prefix + "/version", "3\n".getBytes(StandardCharsets.US_ASCII));
            zip.finish();
        });
    }

    /**
     * Writes {@code root} in the legacy format of {@code torch.save(..., _use_new_zipfile_serialization=False)}
     * (and of every PyTorch before 1.6): the magic number, protocol version 1001 and {@code sys_info} pickles, the
     * object pickle (persistent ids {@code ('storage', type, key, 'cpu', numel, None)}), the sorted storage keys,
     * then each storage as an int64 element count and its bytes. Storages land wherever the pickles end, so a
     * reader may have to copy the ones not aligned to their element size.
     */
    public static void saveLegacy(Path file, Object root) {
        Pickling pickling = new Pickling(true);
        byte[] object = pickling.pickle(root);
        // torch sorts the keys as strings, and writes the storages in that order
        List<String> keys = pickling.storages.keySet().stream().sorted().toList();
        Map<String, Object> sysInfo = new LinkedHashMap<>();
        sysInfo.put("protocol_version", LegacyFormat.PROTOCOL_VERSION);
        sysInfo.put("little_endian", true);
        sysInfo.put("type_sizes", Map.of("short", 2, "int", 4, "long", 8));
        java.io.ByteArrayOutputStream head = new java.io.ByteArrayOutputStream();
        head.writeBytes(LegacyFormat.MAGIC_PICKLE);
        head.write('.');
        head.writeBytes(new Pickling(true).pickle(LegacyFormat.PROTOCOL_VERSION));
        head.writeBytes(new Pickling(true).pickle(sysInfo));
        head.writeBytes(object);
        head.writeBytes(new Pickling(true).pickle(keys));
        writeAtomically(file, ch -> {
            ch.write(java.nio.ByteBuffer.wrap(head.toByteArray()));
            ZipWriter.Sink sink = b -> {
                while (b.hasRemaining()) {
                    ch.write(b);
                }
            };
            for (String key : keys) {
                Tensor t = pickling.storages.get(key);
                java.nio.ByteBuffer count = java.nio.ByteBuffer.allocate(8).order(ByteOrder.LITTLE_ENDIAN);
                sink.write(count.putLong(0, t.count));
                t.writeTo(sink);
            }
        });
    }

    private interface ChannelWriter {
        void write(FileChannel ch) throws IOException;
    }

    /** Writes next to the target and moves the complete file into place. */
    private static void writeAtomically(Path file, ChannelWriter body) {
        Path dir = file.toAbsolutePath().getParent();
        Path tmp = null;
        try {
            tmp = Files.createTempFile(dir, "." + file.getFileName(), ".part");
            try (FileChannel ch = FileChannel.open(tmp, StandardOpenOption.WRITE, StandardOpenOption.TRUNCATE_EXISTING)) {
                body.write(ch);
                ch.force(false);
            }
            Files.move(tmp, file, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
            tmp = null;
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write checkpoint " + file + ": " + e.getMessage(), e);
        } finally {
            if (tmp != null) {
                try {
                    Files.deleteIfExists(tmp);
                } catch (IOException ignored) {
                    // best effort
                }
            }
        }
    }

    /** One pickle of an object tree (protocol 2, as Python writes it) and the storages its tensors use. */
    private static final class Pickling {
        final boolean legacy;
        final IdentityHashMap<Object, String> keys = new IdentityHashMap<>();
        final Map<String, Tensor> storages = new LinkedHashMap<>();
        final PickleEmitter p = new PickleEmitter().proto(2);

        Pickling(boolean legacy) {
            this.legacy = legacy;
        }

        byte[] pickle(Object root) {
            emit(root, 0);
            return p.stop().toByteArray();
        }

        private void emit(Object o, int depth) {
            if (depth > 64) {
                throw new IllegalArgumentException("object tree nested deeper than 64 levels (a cycle?)");
            }
            switch (o) {
                case null -> p.none();
                case Boolean b -> p.bool(b);
                case Integer i -> p.integer(i);
                case Long l -> p.integer(l);
                case Double d -> p.binfloat(d);
                case Float f -> p.binfloat(f);
                case String s -> p.string(s).memoize();
                case byte[] b -> p.pyBytes(b).memoize();
                case StoredTensor t -> emitTensor(Tensor.copyOf(t), t);
                case Tensor t -> emitTensor(t, t);
                case Object[] tuple -> emitTuple(java.util.Arrays.asList(tuple), depth);
                case NumpyArray a -> emitNumpy(a);
                case InertObject i -> emitInert(i, depth);
                case List<?> list -> {
                    p.emptyList().memoize();
                    if (!list.isEmpty()) {
                        p.mark();
                        for (Object item : list) {
                            emit(item, depth + 1);
                        }
                        p.appends();
                    }
                }
                case Map<?, ?> map -> {
                    boolean stateDict = !map.isEmpty() && map.values().stream()
                            .allMatch(v -> v instanceof Tensor || v instanceof StoredTensor);
                    if (stateDict) {
                        p.global("collections", "OrderedDict").emptyTuple().reduce().memoize();
                    } else {
                        p.emptyDict().memoize();
                    }
                    if (!map.isEmpty()) {
                        p.mark();
                        for (Map.Entry<?, ?> e : map.entrySet()) {
                            Object k = e.getKey();
                            if (!(k instanceof String || k instanceof Integer || k instanceof Long)) {
                                throw new IllegalArgumentException("dict key " + k + " is not a string or integer");
                            }
                            emit(k, depth + 1);
                            emit(e.getValue(), depth + 1);
                        }
                        p.setitems();
                    }
                }
                default -> throw new IllegalArgumentException("cannot pickle a " + o.getClass().getName());
            }
        }

        /** A tuple: TUPLE1/2/3 for small ones, MARK ... TUPLE otherwise, memoized unless empty. */
        private void emitTuple(List<?> items, int depth) {
            if (items.isEmpty()) {
                p.emptyTuple();
                return;
            }
            if (items.size() > 3) {
                p.mark();
            }
            for (Object item : items) {
                emit(item, depth + 1);
            }
            p.tuple(items.size() > 3 ? -1 : items.size()).memoize();
        }

        /**
         * Exactly as numpy pickles an array at protocol 2: {@code _reconstruct(ndarray, (0,), b'b')}, then
         * {@code BUILD} with {@code (1, shape, dtype, is_fortran, raw_bytes)}, the dtype itself being
         * {@code dtype('u4', False, True)} with {@code BUILD} state {@code (3, '<', None, None, None, -1, -1, 0)}.
         */
        private void emitNumpy(NumpyArray a) {
            p.global("numpy.core.multiarray", "_reconstruct").global("numpy", "ndarray");
            p.integer(0).tuple(1).memoize();
            p.pyBytes(new byte[]{'b'}).memoize();
            p.tuple(3).memoize().reduce().memoize();
            p.mark().integer(1);
            emitTuple(java.util.Arrays.stream(a.shape()).boxed().toList(), 0);
            p.global("numpy", "dtype").string(a.dtype().substring(1)).memoize().bool(false).bool(true).tuple(3)
                    .memoize().reduce().memoize();
            p.mark().integer(3).string(a.dtype().substring(0, 1)).memoize().none().none().none().integer(-1)
                    .integer(-1).integer(0).tupleFromMark().memoize().build();
            p.bool(a.fortranOrder()).pyBytes(a.data()).memoize();
            p.tupleFromMark().memoize().build();
        }

        /** The inert objects the reader gives back for SAT and DeepSpeed training state, pickled as Python does. */
        private void emitInert(InertObject o, int depth) {
            switch (o.global()) {
                case "torch.Size" -> {
                    p.global("torch", "Size");
                    emitTuple((List<?>) o.args().getFirst(), depth);
                    p.tuple(1).memoize().reduce().memoize();
                }
                case "argparse.Namespace" -> {
                    p.global("argparse", "Namespace").emptyTuple().newobj().memoize();
                    emit(o.state(), depth + 1);
                    p.build();
                }
                case "builtins.set" -> {
                    p.global("__builtin__", "set");
                    emit(o.args().getFirst(), depth + 1);
                    p.tuple(1).memoize().reduce().memoize();
                }
                default -> throw new IllegalArgumentException("cannot pickle an object of " + o.global());
            }
        }

        private void emitTensor(Tensor t, Object identity) {
            String key = keys.get(identity);
            if (key == null) {
                key = String.valueOf(storages.size());
                keys.put(identity, key);
                storages.put(key, t);
            }
            p.global("torch._utils", "_rebuild_tensor_v2");
            p.mark();
            // persistent id ('storage', torch.XStorage, key, 'cpu', numel), legacy files add view_metadata None
            p.mark().string("storage").global("torch", t.storage).string(key).string("cpu")
                    .integer(t.count);
            if (legacy) {
                p.none();
            }
            p.tupleFromMark().binpersid();
            p.integer(0);
            p.mark();
            for (int d : t.shape) {
                p.integer(d);
            }
            p.tupleFromMark();
            p.mark();
            long stride = 1;
            long[] strides = new long[t.shape.length];
            for (int k = t.shape.length - 1; k >= 0; k--) {
                strides[k] = stride;
                stride *= Math.max(1, t.shape[k]);
            }
            for (long s : strides) {
                p.integer(s);
            }
            p.tupleFromMark();
            p.bool(false);
            p.global("collections", "OrderedDict").emptyTuple().reduce();
            p.tupleFromMark().reduce().memoize();
        }
    }

    private static String storageName(DType dtype) {
        return switch (dtype) {
            case F32 -> "FloatStorage";
            case F16 -> "HalfStorage";
            case BF16 -> "BFloat16Storage";
            case I64 -> "LongStorage";
            case I32 -> "IntStorage";
        };
    }
}
