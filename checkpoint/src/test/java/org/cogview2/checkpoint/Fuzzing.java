package org.cogview2.checkpoint;

import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import org.cogview2.api.ModelFormatException;
import org.cogview2.checkpoint.TorchCheckpointWriter.Tensor;
import org.cogview2.checkpoint.testing.ReleasedFileVariants;
import org.cogview2.spi.DType;

import java.lang.foreign.ValueLayout;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;

/**
 * Generators and the oracle shared by the fuzz properties: a reader given any bytes must either load them or
 * reject them with a {@link ModelFormatException} subclass, quickly, and never throw anything else (no NPE,
 * index or arithmetic exception, no OutOfMemoryError or StackOverflowError).
 */
final class Fuzzing {

    /** Longest a single input may take before the property fails (a hang shows up as a failure, not a stall). */
    static final long MAX_NANOS_PER_INPUT = 5_000_000_000L;

    private Fuzzing() {
    }

    // ------------------------------------------------------------------ oracles

    /** Opens the bytes as a checkpoint and touches everything; only format errors may escape. */
    static void checkpointOracle(byte[] bytes) {
        long t0 = System.nanoTime();
        try (TorchCheckpoint c = Ckpt.parse(bytes)) {
            c.root();
            try {
                for (StoredTensor t : c.stateDict().values()) {
                    if (t.byteSize() > 0) {
                        t.data().get(ValueLayout.JAVA_BYTE, 0);
                        t.data().get(ValueLayout.JAVA_BYTE, t.byteSize() - 1);
                    }
                    if (t.elementCount() <= 1 << 16) {
                        if (t.dtype().isFloating()) {
                            t.toFloats();
                        } else {
                            t.toLongs();
                        }
                    }
                }
            } catch (StateDictMismatchException expected) {
                // a valid archive whose tree is not a state dict
            }
            c.verifyChecksums();
        } catch (ModelFormatException expected) {
            checkCause(expected, bytes);
        } catch (Throwable t) {
            throw new AssertionError("reader threw " + t + " for input " + describe(bytes), t);
        }
        checkTime(t0, bytes);
    }

    /**
     * A clean rejection may wrap a decoding error of Pyrolite's (PickleException, IOException,
     * NumberFormatException, the stack's IllegalStateException), never a programming error.
     */
    private static void checkCause(Throwable e, byte[] bytes) {
        for (Throwable c = e.getCause(); c != null; c = c.getCause()) {
            if (c instanceof NullPointerException || c instanceof ClassCastException
                    || c instanceof IndexOutOfBoundsException || c instanceof ArithmeticException
                    || c instanceof NegativeArraySizeException || c instanceof ArrayStoreException
                    || c instanceof UnsupportedOperationException || c instanceof VirtualMachineError) {
                throw new AssertionError("a rejection hides a programming error (" + c + ") for input "
                        + describe(bytes), e);
            }
        }
    }

    /** Parses the bytes as model_config.json; only {@link ModelConfigException} may escape. */
    static void configOracle(byte[] bytes) {
        long t0 = System.nanoTime();
        try {
            TransformerConfig.parse(Path.of("model_config.json"), bytes);
        } catch (ModelConfigException expected) {
            checkCause(expected, bytes);
        } catch (Throwable t) {
            throw new AssertionError("config parser threw " + t + " for input "
                    + new String(bytes, StandardCharsets.ISO_8859_1), t);
        }
        checkTime(t0, bytes);
    }

    private static void checkTime(long t0, byte[] bytes) {
        long nanos = System.nanoTime() - t0;
        if (nanos > MAX_NANOS_PER_INPUT) {
            throw new AssertionError("reading took " + nanos / 1_000_000 + " ms for input " + describe(bytes));
        }
    }

    private static String describe(byte[] bytes) {
        String hex = HexFormat.of().formatHex(bytes, 0, Math.min(bytes.length, 512));
        return bytes.length + " bytes: " + hex + (bytes.length > 512 ? "..." : "");
    }

    // ------------------------------------------------------------------ seeds

    /**
     * Valid checkpoints to mutate: a SAT-like state dict, a DeepSpeed-like tree, a ZIP64 archive, the full SAT
     * training state, and legacy-format files with and without it.
     */
    static List<byte[]> seeds() {
        List<byte[]> out = new ArrayList<>();
        try {
            Path dir = Files.createTempDirectory("fuzz-seeds");
            try {
                Map<String, Object> sd = new LinkedHashMap<>();
                sd.put("transformer.word_embeddings.weight", Tensor.of(DType.F16, new int[]{5, 4}, ramp(20)));
                sd.put("transformer.layers.0.attention.dense.bias", Tensor.of(DType.F32, new int[]{4}, ramp(4)));
                sd.put("ids", Tensor.ofLongs(new int[]{3}, new long[]{1, 2, 3}));
                sd.put("bf", Tensor.of(DType.BF16, new int[]{2, 1}, ramp(2)));
                Map<String, Object> deepspeed = new LinkedHashMap<>();
                deepspeed.put("module", sd);
                deepspeed.put("buffer_names", List.of());
                deepspeed.put("optimizer", null);
                deepspeed.put("global_steps", 48000);
                deepspeed.put("blob", new byte[]{1, 2, 3});
                deepspeed.put("lr", 0.5);
                Path a = dir.resolve("mp_rank_00_model_states.pt");
                TorchCheckpointWriter.saveStateDict(a, sd);
                out.add(Files.readAllBytes(a));
                Path b = dir.resolve("b.pt");
                TorchCheckpointWriter.save(b, deepspeed);
                out.add(Files.readAllBytes(b));
                Path c = dir.resolve("c.pt");
                TorchCheckpointWriter.save(c, Map.of("module", sd), "z", 0);
                out.add(Files.readAllBytes(c));
                // the training state SAT and DeepSpeed keep beside the weights, and the legacy format
                Path d = dir.resolve("d.pt");
                TorchCheckpointWriter.save(d, ReleasedFileVariants.satRoot(sd, 8));
                out.add(Files.readAllBytes(d));
                Path e = dir.resolve("e.pt");
                TorchCheckpointWriter.saveLegacy(e, Map.of("module", sd));
                out.add(Files.readAllBytes(e));
                Path f = dir.resolve("f.pt");
                TorchCheckpointWriter.saveLegacy(f, ReleasedFileVariants.satRoot(sd, 8));
                out.add(Files.readAllBytes(f));
            } finally {
                try (var s = Files.list(dir)) {
                    for (Path p : s.toList()) {
                        Files.delete(p);
                    }
                }
                Files.delete(dir);
            }
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
        out.add(HostileCorpus.valid());
        return out;
    }

    private static float[] ramp(int n) {
        float[] v = new float[n];
        for (int i = 0; i < n; i++) {
            v[i] = i * 0.5f - 1;
        }
        return v;
    }

    // ------------------------------------------------------------------ mutations

    /** One edit of a byte array. */
    interface Mutation {
        byte[] apply(byte[] in);
    }

    private static final long[] INTERESTING = {0, 1, 2, 0x7f, 0x80, 0xff, 0x100, 0xffff, 0x10000, 0x7fffffffL,
            0x80000000L, 0xffffffffL, -1, 30, 46, 64};

    private static int pos(byte[] in, int where, double frac) {
        if (in.length == 0) {
            return 0;
        }
        // where: 0 anywhere, 1 near the start (local header, data.pkl), 2 near the end (central directory)
        int p = switch (where) {
            case 1 -> (int) (Math.min(in.length, 512) * frac);
            case 2 -> in.length - 1 - (int) (Math.min(in.length, 400) * frac);
            default -> (int) (in.length * frac);
        };
        return Math.max(0, Math.min(in.length - 1, p));
    }

    static Arbitrary<Mutation> mutation() {
        Arbitrary<Integer> where = Arbitraries.integers().between(0, 2);
        Arbitrary<Double> frac = Arbitraries.doubles().between(0, 1);
        Arbitrary<Mutation> flip = Combinators.combine(where, frac, Arbitraries.integers().between(0, 7))
                .as((w, f, bit) -> in -> {
                    byte[] out = in.clone();
                    if (out.length > 0) {
                        out[pos(in, w, f)] ^= (byte) (1 << bit);
                    }
                    return out;
                });
        Arbitrary<Mutation> setByte = Combinators.combine(where, frac, Arbitraries.integers().between(0, 255))
                .as((w, f, b) -> in -> {
                    byte[] out = in.clone();
                    if (out.length > 0) {
                        out[pos(in, w, f)] = (byte) (int) b;
                    }
                    return out;
                });
        Arbitrary<Mutation> setInt = Combinators.combine(where, frac, Arbitraries.of(toBoxed(INTERESTING)),
                        Arbitraries.of(2, 4, 8))
                .as((w, f, v, width) -> in -> {
                    byte[] out = in.clone();
                    int p = pos(in, w, f);
                    for (int i = 0; i < width && p + i < out.length; i++) {
                        out[p + i] = (byte) (v >>> (8 * i));
                    }
                    return out;
                });
        // the same value in two adjacent fields: zip sizes come in pairs (compressed, uncompressed)
        Arbitrary<Mutation> twinInts = Combinators.combine(where, frac, Arbitraries.oneOf(
                        Arbitraries.of(toBoxed(INTERESTING)), Arbitraries.longs().between(0, 1 << 20)),
                        Arbitraries.of(4, 8))
                .as((w, f, v, width) -> in -> {
                    byte[] out = in.clone();
                    int p = pos(in, w, f);
                    for (int twin = 0; twin < 2; twin++) {
                        for (int i = 0; i < width && p + twin * width + i < out.length; i++) {
                            out[p + twin * width + i] = (byte) (v >>> (8 * i));
                        }
                    }
                    return out;
                });
        // rewrite a real header field (found by its record signature): sizes, offsets, lengths, counts, methods
        Arbitrary<Mutation> zipField = Combinators.combine(frac, Arbitraries.oneOf(
                        Arbitraries.of(toBoxed(INTERESTING)), Arbitraries.longs().between(0, 1 << 16)),
                        Arbitraries.of(true, false))
                .as((f, v, twin) -> in -> {
                    List<int[]> fields = zipFields(in);
                    if (fields.isEmpty()) {
                        return in;
                    }
                    int[] field = fields.get(Math.min(fields.size() - 1, (int) (f * fields.size())));
                    byte[] out = in.clone();
                    int copies = twin && field[2] == 1 ? 2 : 1;
                    for (int c = 0; c < copies; c++) {
                        int p = field[0] + c * field[1];
                        for (int i = 0; i < field[1] && p + i < out.length; i++) {
                            out[p + i] = (byte) (v >>> (8 * i));
                        }
                    }
                    return out;
                });
        Arbitrary<Mutation> truncate = Combinators.combine(where, frac)
                .as((w, f) -> in -> Arrays.copyOf(in, pos(in, w, f)));
        Arbitrary<Mutation> insert = Combinators.combine(where, frac,
                        Arbitraries.bytes().array(byte[].class).ofMinSize(1).ofMaxSize(16))
                .as((w, f, ins) -> in -> {
                    int p = in.length == 0 ? 0 : pos(in, w, f);
                    byte[] out = new byte[in.length + ins.length];
                    System.arraycopy(in, 0, out, 0, p);
                    System.arraycopy(ins, 0, out, p, ins.length);
                    System.arraycopy(in, p, out, p + ins.length, in.length - p);
                    return out;
                });
        Arbitrary<Mutation> delete = Combinators.combine(where, frac, Arbitraries.integers().between(1, 64))
                .as((w, f, n) -> in -> {
                    if (in.length == 0) {
                        return in;
                    }
                    int p = pos(in, w, f);
                    int k = Math.min(n, in.length - p);
                    byte[] out = new byte[in.length - k];
                    System.arraycopy(in, 0, out, 0, p);
                    System.arraycopy(in, p + k, out, p, in.length - p - k);
                    return out;
                });
        return Arbitraries.frequencyOf(
                net.jqwik.api.Tuple.of(4, flip), net.jqwik.api.Tuple.of(3, setByte), net.jqwik.api.Tuple.of(4, setInt), net.jqwik.api.Tuple.of(3, twinInts), net.jqwik.api.Tuple.of(6, zipField),
                net.jqwik.api.Tuple.of(1, truncate), net.jqwik.api.Tuple.of(2, insert), net.jqwik.api.Tuple.of(2, delete));
    }

    /** {offset, width, pairedWithNext} of every header field of every zip record found in {@code b}. */
    static List<int[]> zipFields(byte[] b) {
        List<int[]> out = new ArrayList<>();
        for (int i = 0; i + 4 <= b.length; i++) {
            int sig = (b[i] & 0xff) | (b[i + 1] & 0xff) << 8 | (b[i + 2] & 0xff) << 16 | (b[i + 3] & 0xff) << 24;
            int[][] f = switch (sig) {
                case 0x04034b50 -> new int[][]{{6, 2, 0}, {8, 2, 0}, {14, 4, 0}, {18, 4, 1}, {26, 2, 0}, {28, 2, 0}};
                case 0x02014b50 -> new int[][]{{8, 2, 0}, {10, 2, 0}, {16, 4, 0}, {20, 4, 1}, {28, 2, 0}, {30, 2, 0},
                        {32, 2, 0}, {34, 2, 0}, {42, 4, 0}};
                case 0x06054b50 -> new int[][]{{4, 2, 0}, {6, 2, 0}, {8, 2, 1}, {12, 4, 0}, {16, 4, 0}, {20, 2, 0}};
                case 0x06064b50 -> new int[][]{{16, 4, 0}, {24, 8, 1}, {40, 8, 0}, {48, 8, 0}};
                case 0x07064b50 -> new int[][]{{4, 4, 0}, {8, 8, 0}, {16, 4, 0}};
                case 0x00100001 -> new int[][]{{4, 8, 1}, {20, 8, 0}}; // ZIP64 extra field of 16+ bytes
                default -> null;
            };
            if (f != null) {
                for (int[] x : f) {
                    out.add(new int[]{i + x[0], x[1], x[2]});
                }
            }
        }
        return out;
    }

    private static Long[] toBoxed(long[] v) {
        return Arrays.stream(v).boxed().toArray(Long[]::new);
    }

    static byte[] applyAll(byte[] seed, List<Mutation> ms) {
        byte[] b = seed;
        for (Mutation m : ms) {
            b = m.apply(b);
        }
        return b;
    }

    // ------------------------------------------------------------------ pickles

    /** One pickle fragment. */
    interface Piece extends Consumer<PickleEmitter> {
    }

    private static final String[][] GLOBALS = {
            {"collections", "OrderedDict"}, {"torch._utils", "_rebuild_tensor_v2"}, {"torch._utils", "_rebuild_tensor"},
            {"torch._utils", "_rebuild_parameter"}, {"torch", "FloatStorage"}, {"torch", "HalfStorage"},
            {"torch", "LongStorage"}, {"torch", "ByteStorage"}, {"torch", "ComplexFloatStorage"},
            {"__builtin__", "set"}, {"builtins", "frozenset"}, {"_codecs", "encode"}, {"os", "system"},
            {"builtins", "eval"}, {"__builtin__", "complex"}, {"copy_reg", "_reconstructor"}, {"numpy", "dtype"},
            {"argparse", "Namespace"}};

    static Arbitrary<Piece> piece() {
        Arbitrary<Piece> simple = Arbitraries.<Piece>of(
                p -> p.mark(), p -> p.stop(), p -> p.none(), p -> p.bool(true), p -> p.emptyDict(), p -> p.emptyList(),
                p -> p.emptyTuple(), p -> p.tuple(1), p -> p.tuple(2), p -> p.tuple(3), p -> p.tupleFromMark(),
                p -> p.reduce(), p -> p.build(), p -> p.newobj(), p -> p.setitem(), p -> p.setitems(), p -> p.append(),
                p -> p.appends(), p -> p.binpersid(), p -> p.raw('0'), p -> p.raw('1'), p -> p.raw('2'),
                p -> p.raw('d'), p -> p.raw('l'), p -> p.raw(0x94), p -> p.raw(0x8f), p -> p.raw(0x90),
                p -> p.raw(0x91), p -> p.raw(0x93), p -> p.raw(0x92), p -> p.raw('o'), p -> p.raw(0x82, 1),
                p -> p.string("storage"), p -> p.string("cpu"), p -> p.string("0"), p -> p.string("1"),
                p -> p.string("module"), p -> p.string("latin1"));
        Arbitrary<Piece> ints = Arbitraries.oneOf(Arbitraries.longs().between(-3, 300),
                        Arbitraries.of(toBoxed(INTERESTING)), Arbitraries.longs())
                .map(v -> (Piece) p -> p.integer(v));
        Arbitrary<Piece> memo = Combinators.combine(Arbitraries.integers().between(0, 8), Arbitraries.of(true, false))
                .as((i, put) -> put ? (Piece) p -> p.put(i) : (Piece) p -> p.get(i));
        Arbitrary<Piece> global = Arbitraries.of(GLOBALS).map(g -> (Piece) p -> p.rawGlobal(g[0], g[1]));
        Arbitrary<Piece> strings = Arbitraries.strings().ofMaxLength(12).map(s -> (Piece) p -> p.string(s));
        Arbitrary<Piece> rawByte = Arbitraries.integers().between(0, 255).map(b -> (Piece) p -> p.raw(b));
        Arbitrary<Piece> counted = Combinators.combine(Arbitraries.of((int) 'X', (int) 'B', (int) 'T', 0x8c, 0x8d, 0x8e, 0x8b, 0x8a, (int) 'C'),
                        Arbitraries.of(toBoxed(INTERESTING)))
                .as((op, len) -> (Piece) p -> p.raw(op).le(len, op == 0x8c || op == 0x8a || op == 'C' ? 1
                        : op == 0x8d || op == 0x8e ? 8 : 4));
        return Arbitraries.frequencyOf(net.jqwik.api.Tuple.of(10, simple), net.jqwik.api.Tuple.of(4, ints),
                net.jqwik.api.Tuple.of(3, memo), net.jqwik.api.Tuple.of(3, global), net.jqwik.api.Tuple.of(2, strings),
                net.jqwik.api.Tuple.of(1, rawByte), net.jqwik.api.Tuple.of(1, counted));
    }

    /** A pickle of random pieces in an archive with two storages. */
    static byte[] pickleArchive(List<Piece> pieces, boolean proto, boolean stop) {
        PickleEmitter p = new PickleEmitter();
        if (proto) {
            p.proto(2);
        }
        pieces.forEach(x -> x.accept(p));
        if (stop) {
            p.stop();
        }
        return Ckpt.zip(p.toByteArray(), Ckpt.storages("0", Ckpt.floats(1, 2, 3, 4), "1", new byte[]{1, 2, 3, 4, 5, 6, 7, 8}));
    }

    /** A well-formed pickle of one tensor with arbitrary (often wrong) record fields. */
    static Arbitrary<byte[]> tensorRecord() {
        Arbitrary<String> type = Arbitraries.of("FloatStorage", "HalfStorage", "BFloat16Storage", "LongStorage",
                "IntStorage", "DoubleStorage", "ByteStorage", "BoolStorage");
        Arbitrary<String> key = Arbitraries.of("0", "1", "2", "../0", "");
        Arbitrary<Long> small = Arbitraries.oneOf(Arbitraries.longs().between(-2, 20), Arbitraries.of(toBoxed(INTERESTING)));
        Arbitrary<long[]> dims = small.list().ofMaxSize(5).map(l -> l.stream().mapToLong(Long::longValue).toArray());
        return Combinators.combine(type, key, small, small, dims, dims)
                .as((t, k, numel, offset, size, stride) -> {
                    PickleEmitter p = new PickleEmitter().proto(2).emptyDict().string("module").emptyDict().string("w");
                    Ckpt.tensor(p, t, k, numel, offset, size, stride);
                    return Ckpt.zip(p.setitem().setitem().stop().toByteArray(),
                            Ckpt.storages("0", Ckpt.floats(1, 2, 3, 4), "1", new byte[]{1, 2, 3, 4, 5, 6, 7, 8}));
                });
    }

    // ------------------------------------------------------------------ configs

    private static final List<String> KEYS = List.of("num_layers", "hidden_size", "num_attention_heads", "vocab_size",
            "max_sequence_length", "layernorm_order", "inner_hidden_size", "hidden_size_per_attention_head",
            "model_parallel_size", "layout", "kernel_size", "model_class");

    static Arbitrary<String> jsonValue(int depth) {
        Arbitrary<String> scalars = Arbitraries.oneOf(
                Arbitraries.integers().between(-5, 5000).map(String::valueOf),
                Arbitraries.of(toBoxed(INTERESTING)).map(String::valueOf),
                Arbitraries.of("64", "4", "1024", "23008", "\"sandwich\"", "\"pre\"", "\"post\"", "null", "true",
                        "1e5", "2.5", "-0", "1e400", "\"\\ud800\"", "\"é\"", "99999999999999999999999"),
                Arbitraries.strings().ofMaxLength(8).map(s -> "\"" + s.replace("\\", "").replace("\"", "") + "\""));
        if (depth <= 0) {
            return scalars;
        }
        Arbitrary<String> array = jsonValue(depth - 1).list().ofMaxSize(4).map(l -> "[" + String.join(", ", l) + "]");
        return Arbitraries.frequencyOf(net.jqwik.api.Tuple.of(6, scalars), net.jqwik.api.Tuple.of(1, array));
    }

    static Arbitrary<byte[]> config() {
        Arbitrary<String> entry = Combinators.combine(Arbitraries.of(KEYS), jsonValue(2))
                .as((k, v) -> "\"" + k + "\": " + v);
        Arbitrary<byte[]> objects = entry.list().ofMaxSize(12)
                .map(l -> ("{" + String.join(", ", l) + "}").getBytes(StandardCharsets.UTF_8));
        byte[] valid = ("{\"num_layers\": 2, \"hidden_size\": 64, \"num_attention_heads\": 4, \"vocab_size\": 23008,"
                + " \"layernorm_order\": \"sandwich\", \"max_sequence_length\": 1024}").getBytes(StandardCharsets.UTF_8);
        Arbitrary<byte[]> mutated = mutation().list().ofMinSize(1).ofMaxSize(4).map(ms -> applyAll(valid, ms));
        return Arbitraries.oneOf(objects, mutated);
    }
}
