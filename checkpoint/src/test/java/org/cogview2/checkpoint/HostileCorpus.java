package org.cogview2.checkpoint;

import org.cogview2.api.ModelFormatException;

import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.function.Consumer;

/**
 * Malformed and hostile inputs for the checkpoint module's readers, each with the exception type and message
 * fragment it must be rejected with. {@link HostileCorpusTest} writes them to {@code target/hostile-corpus} and
 * runs them through the public API.
 */
final class HostileCorpus {

    /** Which reader a case is for. */
    enum Reader {
        /** {@code TorchCheckpoint.open}, then {@code stateDict()} and a read of every tensor. */
        CHECKPOINT(".pt"),
        /** {@code TransformerConfig.read}. */
        CONFIG(".json"),
        /** {@code SatModelFolder.open} on a folder whose {@code latest} holds the bytes. */
        LATEST(".latest"),
        /** {@code NpyArray.read}. */
        NPY(".npy");

        final String extension;

        Reader(String extension) {
            this.extension = extension;
        }
    }

    /** One input, the reader, and the expected rejection. */
    record Case(String name, Reader reader, byte[] bytes, Class<? extends ModelFormatException> expected,
                String fragment) {
        @Override
        public String toString() {
            return reader + "/" + name;
        }
    }

    private final List<Case> cases = new ArrayList<>();

    private void add(String name, Reader reader, byte[] bytes, Class<? extends ModelFormatException> expected,
                     String fragment) {
        cases.add(new Case(name, reader, bytes, expected, fragment));
    }

    private void pt(String name, byte[] bytes, Class<? extends ModelFormatException> expected, String fragment) {
        add(name, Reader.CHECKPOINT, bytes, expected, fragment);
    }

    private static byte[] ascii(String s) {
        return s.getBytes(StandardCharsets.ISO_8859_1);
    }

    private static byte[] cat(byte[]... parts) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        for (byte[] p : parts) {
            out.writeBytes(p);
        }
        return out.toByteArray();
    }

    /** A valid checkpoint {'module': {'w': float32 [2, 2]}}. */
    static byte[] valid() {
        return validZip().build();
    }

    static RawZip validZip() {
        byte[] pkl = Ckpt.oneTensorPickle("FloatStorage", 4, 0, new long[]{2, 2}, new long[]{2, 1});
        return RawZip.checkpoint("archive", pkl, Ckpt.storages("0", Ckpt.floats(1, 2, 3, 4)));
    }

    private static byte[] zipWith(Consumer<RawZip> tweak) {
        RawZip z = validZip();
        tweak.accept(z);
        return z.build();
    }

    /** A pickle inside an otherwise valid archive (storage "0" holds 4 floats). */
    private static byte[] pickled(byte[] pickle) {
        return Ckpt.zip(pickle, Ckpt.storages("0", Ckpt.floats(1, 2, 3, 4)));
    }

    private static byte[] pickled(PickleEmitter p) {
        return pickled(p.toByteArray());
    }

    /** {'module': {'w': tensor}} with the given storage record and view. */
    private static byte[] tensorCase(String type, String key, long numel, long offset, long[] size, long[] stride) {
        PickleEmitter p = new PickleEmitter().proto(2).emptyDict().string("module").emptyDict().string("w");
        Ckpt.tensor(p, type, key, numel, offset, size, stride);
        return pickled(p.setitem().setitem().stop());
    }

    private static PickleEmitter p2() {
        return new PickleEmitter().proto(2);
    }

    static List<Case> all() {
        HostileCorpus c = new HostileCorpus();
        c.zipCases();
        c.pickleCases();
        c.tensorCases();
        c.stateDictCases();
        c.trainingStateCases();
        c.legacyCases();
        c.configCases();
        c.latestCases();
        c.npyCases();
        return List.copyOf(c.cases);
    }

    private void zipCases() {
        Class<ZipFormatException> z = ZipFormatException.class;
        byte[] valid = valid();
        pt("empty-file", new byte[0], z, "the file is empty");
        pt("too-short", ascii("PK\u0003\u0004abcdef"), z, "too short to be a zip archive");
        pt("wrong-magic", ascii("GIF89a this is no checkpoint"), z, "not a PyTorch checkpoint: it starts with bytes 47 49 46 38");
        pt("pytorch1-magic", ascii("PYTORCH1\u0000\u0000\u0000\u0000"), z, "'PYTORCH1' preview format");
        pt("empty-zip", cat(ascii("PK\u0005\u0006"), new byte[18]), z, "the zip archive is empty");
        pt("truncated-half", Arrays.copyOf(valid, valid.length / 2), z, "no end-of-central-directory record");
        pt("truncated-last-byte", Arrays.copyOf(valid, valid.length - 1), z, "no end-of-central-directory record");
        pt("cd-offset-past-end", zipWith(r -> r.cdOffset = 1_000_000_000L), z, "lies outside the file");
        pt("cd-size-past-end", zipWith(r -> r.cdSize = 1_000_000_000L), z, "lies outside the file");
        pt("entry-count-too-large", zipWith(r -> r.entryCount = 60000), z, "cannot hold the 60000 entries");
        pt("entry-count-too-small", zipWith(r -> r.entryCount = 1), z, "after its 1 entries");
        pt("bad-central-signature", zipWith(r -> r.centralSignatureOfFirst = 0x12345678), z, "has signature 12345678");
        pt("local-offset-past-end", zipWith(r -> r.entry("archive/data/0").localOffset = 100_000_000L), z,
                "local header offset 100000000 is out of range");
        pt("bad-local-signature", zipWith(r -> r.entry("archive/data/0").localSignature = 0xdeadbeef), z,
                "no local header at offset");
        pt("local-name-mismatch", zipWith(r -> r.entry("archive/data/0").localName = "archive/data/9"), z,
                "names a different entry");
        pt("size-past-central-directory", zipWith(r -> r.entry("archive/data/0").centralSize = 1_000_000L), z,
                "runs past the start of the central directory");
        pt("deflated-entry", zipWith(r -> r.entry("archive/data/0").method = 8), z, "is compressed (method 8)");
        pt("zip-bomb-10gb-deflate", zipWith(r -> {
            RawZip.Entry e = r.entry("archive/data/0");
            e.method = 8;
            e.zip64Central = true;
            e.centralSize = 10L << 30;
            e.centralCompressed = 16L;
        }), z, "never inflates");
        pt("encrypted-entry", zipWith(r -> r.entry("archive/data/0").flags = 1), z, "is encrypted");
        pt("duplicate-entry", zipWith(r -> r.add("archive/data/0", Ckpt.floats(9, 9, 9, 9))), z, "duplicate entry name");
        pt("overlapping-entries", overlapping(), z, "overlaps entry");
        pt("multi-disk", zipWith(r -> r.disk = 1), z, "multi-disk");
        pt("entry-on-other-disk", zipWith(r -> r.entry("archive/data/0").diskStart = 3), z, "starts on disk 3");
        pt("zip64-locator-past-end", zipWith(r -> r.zip64EocdOffset = 1L << 40), z,
                "ZIP64 end-of-central-directory offset");
        pt("zip64-record-bad-signature", zipWith(r -> r.zip64Signature = 0), z,
                "no ZIP64 end-of-central-directory record");
        pt("zip64-extra-missing", zipWith(r -> r.entry("archive/data/0").zip64ExtraMissing = true), z,
                "no ZIP64 extra field");
        pt("stored-sizes-differ", zipWith(r -> r.entry("archive/data/0").centralCompressed = 17L), z,
                "compressed size 17 but uncompressed size 16");
        pt("missing-data-pkl", new RawZip().add("archive/version", ascii("3\n")).build(), z,
                "archive/data.pkl: missing");
        pt("data-pkl-crc-mismatch", zipWith(r -> r.entry("archive/data.pkl").crc = 0x1234), z, "CRC-32 mismatch");
        pt("version-not-a-number", zipWith(r -> r.entry("archive/version").data = ascii("three\n")), z,
                "is not a decimal number");
        pt("version-unsupported", zipWith(r -> r.entry("archive/version").data = ascii("999\n")), z,
                "format version 999 is not supported");
        pt("version-missing", zipWith(r -> r.entries.removeIf(e -> e.name.equals("archive/version"))), z,
                "archive/version: missing");
        pt("byteorder-invalid", zipWith(r -> r.add("archive/byteorder", ascii("middle"))), z,
                "neither 'little' nor 'big'");
        pt("no-top-level-folder", new RawZip().add("data.pkl", ascii("\u0080\u0002N.")).build(), z,
                "not inside a top-level folder");
    }

    /** Entry data/0's central record points at a local header hidden inside another entry's data. */
    private static byte[] overlapping() {
        byte[] name = ascii("archive/data/0");
        ByteBuffer hidden = ByteBuffer.allocate(30 + name.length + 16).order(ByteOrder.LITTLE_ENDIAN);
        hidden.putInt(0x04034b50).putShort((short) 20).putShort((short) 0).putShort((short) 0).putShort((short) 0)
                .putShort((short) 0x21).putInt(0).putInt(16).putInt(16).putShort((short) name.length).putShort((short) 0)
                .put(name).put(Ckpt.floats(1, 2, 3, 4));
        RawZip r = validZip();
        r.entries.add(1, new RawZip.Entry("archive/padding", hidden.array()));
        byte[] first = r.build();
        int at = indexOf(first, hidden.array());
        r.entry("archive/data/0").localOffset = (long) at;
        return r.build();
    }

    private static int indexOf(byte[] hay, byte[] needle) {
        outer:
        for (int i = 0; i + needle.length <= hay.length; i++) {
            for (int j = 0; j < needle.length; j++) {
                if (hay[i + j] != needle[j]) {
                    continue outer;
                }
            }
            return i;
        }
        throw new IllegalStateException("not found");
    }

    private void pickleCases() {
        Class<ForbiddenGlobalException> f = ForbiddenGlobalException.class;
        Class<PickleFormatException> pf = PickleFormatException.class;
        Class<CheckpointLimitException> lim = CheckpointLimitException.class;
        pt("global-os-system", pickled(ascii("cos\nsystem\n(S'touch pwned'\ntR.")), f, "global os.system");
        pt("global-builtins-eval", pickled(ascii("\u0080\u0002c__builtin__\neval\nX\u0004\u0000\u0000\u00001+1\u0085R.")),
                f, "global builtins.eval");
        pt("stack-global-posix-system", pickled(p2().raw(0x8c, 5).bytes(ascii("posix")).raw(0x8c, 6)
                .bytes(ascii("system")).raw(0x93).string("id").tuple(1).reduce().stop()), f, "global posix.system");
        pt("inst-subprocess-popen", pickled(ascii("(S'ls'\nisubprocess\nPopen\n.")), f, "global subprocess.Popen");
        pt("obj-nt-system", pickled(ascii("(cnt\nsystem\nS'dir'\no.")), f, "global nt.system");
        pt("newobj-unknown-class", pickled(p2().rawGlobal("__main__", "Evil").emptyTuple().newobj().stop()), f,
                "global __main__.Evil");
        pt("reduce-unknown-class-build", pickled(p2().rawGlobal("torch.nn.modules.linear", "Linear").emptyTuple()
                .reduce().emptyDict().build().stop()), f, "global torch.nn.modules.linear.Linear");
        pt("pyrolite-default-complex", pickled(ascii("c__builtin__\ncomplex\n(K\u0001K\u0002tR.")), f,
                "global builtins.complex");
        pt("pyrolite-default-copyreg", pickled(ascii("ccopy_reg\n_reconstructor\n(c__builtin__\nobject\nNNtR.")), f,
                "global copyreg._reconstructor");
        pt("pyrolite-default-datetime", pickled(p2().rawGlobal("datetime", "datetime").emptyTuple().reduce().stop()), f,
                "global datetime.datetime");
        pt("torch-load-from-bytes", pickled(p2().rawGlobal("torch.storage", "_load_from_bytes").string("x")
                .tuple(1).reduce().stop()), f, "global torch.storage._load_from_bytes");
        pt("numpy-masked-array-subclass", pickled(p2().rawGlobal("numpy.core.multiarray", "_reconstruct")
                .rawGlobal("numpy.ma.core", "MaskedArray").stop()), f, "global numpy.ma.core.MaskedArray");
        pt("deepspeed-loss-scaler-needs-opt-in", pickled(p2().rawGlobal("deepspeed.runtime.fp16.loss_scaler",
                "DynamicLossScaler").emptyTuple().newobj().stop()), f,
                "withInertGlobal(\"deepspeed.runtime.fp16.loss_scaler\", \"DynamicLossScaler\")");
        pt("ext1-extension-registry", pickled(p2().raw(0x82, 1).emptyTuple().reduce().stop()), f,
                "copyreg extension registry");
        pt("build-on-list", pickled(p2().emptyList().emptyDict().build().stop()), pf, "BUILD on a list");
        pt("reduce-calls-storage-type", pickled(p2().global("torch", "FloatStorage").emptyTuple().reduce().stop()), pf,
                "calls the storage type torch.FloatStorage");
        pt("reduce-of-a-string", pickled(p2().string("os.system").emptyTuple().reduce().stop()), pf,
                "REDUCE applied to a str");
        pt("codecs-encode-rot13", pickled(p2().global("_codecs", "encode").string("abc").string("rot13").tuple(2)
                .reduce().stop()), pf, "encoding 'rot13'");
        pt("text-persistent-id", pickled(ascii("Pstorage\n.")), pf, "text persistent id");
        pt("invalid-opcode", pickled(p2().raw(0xff).stop()), pf, "invalid pickle opcode");
        pt("unsupported-protocol", pickled(new PickleEmitter().proto(6).none().stop()), pf, "unsupported pickle protocol");
        pt("stack-underflow", pickled(p2().reduce().stop()), pf, "stack underflow");
        pt("no-stop", pickled(p2().none()), pf, "without a STOP opcode");
        pt("stop-on-mark", pickled(p2().mark().stop()), pf, "unexpected MARK");
        pt("mark-smuggled-into-tuple", pickled(p2().mark().tuple(1).stop()), pf, "stray MARK");
        pt("memo-get-undefined", pickled(p2().get(5).stop()), pf, "memo index 5 was never stored");
        pt("memo-index-huge", pickled(p2().none().raw('r').le(0x7fffffffL, 4).stop()), lim, "memo index 2147483647");
        pt("memo-index-negative", pickled(p2().none().raw('r').le(0xffffffffL, 4).stop()), lim, "memo index 4294967295");
        pt("binunicode-2gb-length", pickled(p2().raw('X').le(0x7fffffffL, 4).bytes(ascii("abc"))), pf,
                "declares 2147483647 bytes but only 3 remain");
        pt("binbytes8-exabyte-length", pickled(p2().raw(0x8e).le(1L << 62, 8).bytes(ascii("abc"))), pf,
                "declares 4611686018427387904 bytes");
        pt("long4-2gb-integer", pickled(p2().raw(0x8b).le(0x7fffffffL, 4).raw(1, 2, 3)), lim, "LONG4 integer of 2147483647");
        pt("long-100k-digits", pickled(cat(ascii("L"), ascii("9".repeat(100_000)), ascii("L\n."))), lim,
                "longer than 4096 bytes");
        pt("global-without-newline", pickled(cat(ascii("c"), ascii("a".repeat(10_000)))), lim, "longer than 4096 bytes");
        pt("deep-nesting-200", pickled(nested(200)), lim, "nested deeper than 100 levels");
        pt("billion-laughs-dag", pickled(billionLaughs(150)), lim, "nested deeper than 100 levels");
        pt("reference-cycle", pickled(p2().emptyList().put(0).get(0).append().stop()), pf, "reference cycle");
        pt("unhashable-list-key", pickled(p2().emptyDict().emptyList().none().setitem().stop()), pf,
                "dict key of type a list is not supported");
        pt("unhashable-dict-key", pickled(p2().emptyDict().emptyDict().none().setitem().stop()), pf,
                "dict key of type a dict is not supported");
        pt("setitems-odd-count", pickled(p2().emptyDict().mark().none().setitems().stop()), pf, "odd number");
        pt("append-to-dict", pickled(p2().emptyDict().none().append().stop()), pf, "APPEND on a dict");
        pt("newobj-ex-kwargs", pickled(p2().global("collections", "OrderedDict").emptyTuple().emptyDict()
                .string("k").none().setitem().raw(0x92).stop()), pf, "keyword arguments");
        pt("global-used-as-value", pickled(p2().global("collections", "OrderedDict").stop()), pf,
                "is used as a value");
    }

    /** [[[...]]] nested {@code depth} times. */
    private static byte[] nested(int depth) {
        PickleEmitter p = p2();
        for (int i = 0; i < depth; i++) {
            p.emptyList();
        }
        for (int i = 1; i < depth; i++) {
            p.append();
        }
        return p.stop().toByteArray();
    }

    /** L0 = []; L(i) = [L(i-1), L(i-1)]: 2^depth paths through a structure of depth lists. */
    private static byte[] billionLaughs(int depth) {
        PickleEmitter p = p2().emptyList().put(0);
        for (int i = 1; i <= depth; i++) {
            p.emptyList().mark().get(i - 1).get(i - 1).appends().put(i);
        }
        return p.stop().toByteArray();
    }

    private void tensorCases() {
        Class<TensorRecordException> t = TensorRecordException.class;
        Class<PickleFormatException> pf = PickleFormatException.class;
        long[] s22 = {2, 2};
        long[] st = {2, 1};
        pt("pid-wrong-arity", pickled(p2().mark().string("storage").string("0").tupleFromMark().binpersid().stop()), t,
                "expected ('storage', storage_type, key, location, numel)");
        pt("pid-kind-not-storage", pickled(p2().mark().string("module").global("torch", "FloatStorage").string("0")
                .string("cpu").integer(4).tupleFromMark().binpersid().stop()), t, "has kind 'module'");
        pt("pid-type-not-storage", pickled(p2().mark().string("storage").string("FloatStorage").string("0")
                .string("cpu").integer(4).tupleFromMark().binpersid().stop()), t, "expected a torch.*Storage global");
        pt("unknown-storage-dtype", tensorCase("ComplexFloatStorage", "0", 2, 0, new long[]{2}, new long[]{1}), t,
                "unsupported storage type torch.ComplexFloatStorage");
        pt("storage-key-path-traversal", tensorCase("FloatStorage", "../../etc/passwd", 4, 0, s22, st), t,
                "has storage key '../../etc/passwd'");
        pt("storage-record-missing", tensorCase("FloatStorage", "7", 4, 0, s22, st), t,
                "archive/data/7: storage record is missing");
        pt("storage-mis-sized", tensorCase("FloatStorage", "0", 5, 0, s22, st), t,
                "storage record holds 16 bytes but the pickle declares 5 elements");
        pt("storage-numel-negative", tensorCase("FloatStorage", "0", -1, 0, s22, st), t, "element count is negative");
        pt("storage-numel-overflow", tensorCase("FloatStorage", "0", 1L << 62, 0, s22, st), t, "(overflow)");
        pt("storage-key-conflicting-types", storageConflict(), t, "storage key used twice");
        pt("shape-negative", tensorCase("FloatStorage", "0", 4, 0, new long[]{-2, 2}, st), t, "dimension 0 is negative");
        pt("shape-overflows-64-bits", tensorCase("FloatStorage", "0", 4, 0,
                new long[]{Integer.MAX_VALUE, Integer.MAX_VALUE, Integer.MAX_VALUE}, new long[]{0, 0, 0}), t,
                "more elements than fit in 64 bits");
        pt("dimension-beyond-int", tensorCase("FloatStorage", "0", 4, 0, new long[]{1L << 32}, new long[]{1}), t,
                "exceeds 2^31-1");
        pt("shape-larger-than-storage", tensorCase("FloatStorage", "0", 4, 0, new long[]{1000, 1000},
                new long[]{1000, 1}), t, "reaches element 999999 but the storage has 4 elements");
        pt("offset-past-storage", tensorCase("FloatStorage", "0", 4, 10, s22, st), t, "reaches element 13");
        pt("stride-negative", tensorCase("FloatStorage", "0", 4, 0, s22, new long[]{-2, 1}), t, "stride 0 is negative");
        pt("stride-overflows", tensorCase("FloatStorage", "0", 4, 0, new long[]{3, 1}, new long[]{1L << 62, 1}), t,
                "beyond 2^63");
        long[] ones = new long[40];
        Arrays.fill(ones, 1);
        pt("rank-40", tensorCase("FloatStorage", "0", 4, 0, ones, ones), CheckpointLimitException.class,
                "has 40 dimensions");
        pt("expanded-view-1t-elements", tensorCase("FloatStorage", "0", 4, 0, new long[]{1 << 20, 1 << 20},
                new long[]{0, 0}), t, "refusing to materialise");
        pt("shape-not-integers", shapeOfStrings(), t, "dimension 0 is a str, expected an integer");
        pt("rebuild-without-storage", pickled(p2().global("torch._utils", "_rebuild_tensor_v2").mark().string("x")
                .integer(0).integer(1).tuple(1).integer(1).tuple(1).bool(false).none().tupleFromMark().reduce().stop()),
                t, "argument 0 is a str, expected a storage");
        pt("rebuild-wrong-arity", pickled(p2().global("torch._utils", "_rebuild_tensor_v2").none().none().tuple(2)
                .reduce().stop()), pf, "called with 2 arguments, expected 6 to 7");
    }

    private static byte[] storageConflict() {
        PickleEmitter p = p2().emptyDict().string("module").emptyDict().string("a");
        Ckpt.tensor(p, "FloatStorage", "0", 4, 0, new long[]{4}, new long[]{1});
        p.setitem().string("b");
        Ckpt.tensor(p, "HalfStorage", "0", 8, 0, new long[]{8}, new long[]{1});
        return pickled(p.setitem().setitem().stop());
    }

    private static byte[] shapeOfStrings() {
        PickleEmitter p = p2().global("torch._utils", "_rebuild_tensor_v2").mark();
        p.mark().string("storage").global("torch", "FloatStorage").string("0").string("cpu").integer(4)
                .tupleFromMark().binpersid();
        p.integer(0).string("a").string("b").tuple(2).integer(2).integer(1).tuple(2).bool(false).none();
        return pickled(p.tupleFromMark().reduce().stop());
    }

    private void stateDictCases() {
        Class<StateDictMismatchException> s = StateDictMismatchException.class;
        pt("root-is-a-list", pickled(p2().emptyList().stop()), s, "root is a list");
        pt("module-not-a-dict", pickled(p2().emptyDict().string("module").integer(3).setitem().stop()), s,
                "root['module'] is a Long");
        pt("state-dict-value-not-tensor", pickled(p2().emptyDict().string("module").emptyDict().string("a")
                .integer(1).setitem().setitem().stop()), s, "'a' is a Long, not a tensor");
        PickleEmitter dbl = p2().emptyDict().string("module").emptyDict().string("d");
        Ckpt.tensor(dbl, "DoubleStorage", "0", 2, 0, new long[]{2}, new long[]{1});
        pt("state-dict-float64-tensor", pickled(dbl.setitem().setitem().stop()), s,
                "'d' is a tensor of torch.DoubleStorage, an element type the SDK does not support");
        PickleEmitter intKey = p2().emptyDict().string("module").emptyDict().integer(1);
        Ckpt.tensor(intKey, "FloatStorage", "0", 4, 0, new long[]{4}, new long[]{1});
        pt("state-dict-int-key", pickled(intKey.setitem().setitem().stop()), s, "key 1 that is not a string");
    }

    /** {'np_rng_state': numpy array} with the given dtype, declared shape and bytes. */
    private static byte[] numpyCase(String type, String order, int[] shape, byte[] data) {
        PickleEmitter p = p2().emptyDict().string("np_rng_state");
        PickleReadingTest.numpyArray(p, "numpy.core.multiarray", type, order, shape, data);
        return pickled(p.setitem().stop());
    }

    private void trainingStateCases() {
        Class<TensorRecordException> t = TensorRecordException.class;
        Class<PickleFormatException> pf = PickleFormatException.class;
        pt("numpy-shape-does-not-match-bytes", numpyCase("u4", "<", new int[]{624}, new byte[2492]), t,
                "numpy array of <u4 and shape [624] needs 2496 bytes but its pickle holds 2492");
        pt("numpy-shape-overflows", numpyCase("f8", "<", new int[]{Integer.MAX_VALUE, Integer.MAX_VALUE,
                Integer.MAX_VALUE}, new byte[8]), t, "needs more than 2^63 bytes");
        pt("numpy-object-dtype", pickled(p2().rawGlobal("numpy", "dtype").string("O8").bool(false).bool(true)
                .tuple(3).reduce().stop()), pf, "numpy.dtype of 'O8'; only plain bool, integer and float types");
        pt("numpy-structured-dtype", pickled(p2().rawGlobal("numpy", "dtype").string("f4").bool(false).bool(true)
                .tuple(3).reduce().mark().integer(3).string("<").none().emptyTuple().emptyDict().integer(4).integer(4)
                .integer(0).tupleFromMark().build().stop()), pf, "a structured type");
        pt("numpy-dtype-bad-byte-order", pickled(p2().rawGlobal("numpy", "dtype").string("f4").bool(false).bool(true)
                .tuple(3).reduce().mark().integer(3).string("?").none().none().none().integer(-1).integer(-1)
                .integer(0).tupleFromMark().build().stop()), pf, "byte order '?'");
        pt("numpy-array-without-state", pickled(p2().rawGlobal("numpy.core.multiarray", "_reconstruct")
                .rawGlobal("numpy", "ndarray").integer(0).tuple(1).pyBytes(new byte[]{'b'}).tuple(3).reduce().stop()), pf,
                "a numpy array without its state");
        pt("numpy-array-of-objects", pickled(p2().rawGlobal("numpy.core.multiarray", "_reconstruct")
                .rawGlobal("numpy", "ndarray").integer(0).tuple(1).pyBytes(new byte[]{'b'}).tuple(3).reduce()
                .mark().integer(1).integer(1).tuple(1).rawGlobal("numpy", "dtype").string("f8").bool(false).bool(true)
                .tuple(3).reduce().mark().integer(3).string("<").none().none().none().integer(-1).integer(-1).integer(0)
                .tupleFromMark().build().bool(false).emptyList().tupleFromMark().build().stop()), pf,
                "arrays of Python objects are not supported");
        pt("numpy-ndarray-called-directly", pickled(p2().rawGlobal("numpy", "ndarray").emptyTuple().reduce().stop()), pf,
                "REDUCE of numpy.ndarray");
        pt("numpy-array-in-state-dict", pickled(PickleReadingTest.numpyArray(p2().emptyDict().string("module")
                .emptyDict().string("w"), "numpy.core.multiarray", "f4", "<", new int[]{1}, new byte[4])
                .setitem().setitem().stop()), StateDictMismatchException.class, "'w' is a numpy array, not a tensor");
        pt("torch-size-negative", pickled(p2().rawGlobal("torch", "Size").integer(-3).tuple(1).tuple(1).reduce().stop()),
                t, "torch.Size dimension is negative");
        pt("torch-size-with-state", pickled(p2().rawGlobal("torch", "Size").emptyTuple().tuple(1).reduce().emptyDict()
                .build().stop()), pf, "BUILD on an object of torch.Size");
        pt("namespace-with-arguments", pickled(p2().rawGlobal("argparse", "Namespace").string("x").tuple(1).reduce()
                .stop()), pf, "argparse.Namespace called with 1 arguments, expected 0");
        pt("training-state-with-os-system", pickled(p2().emptyDict().string("iteration").integer(48000).setitem()
                .string("args").rawGlobal("argparse", "Namespace").emptyTuple().newobj().emptyDict().string("hook")
                .rawGlobal("os", "system").string("id").tuple(1).reduce().setitem().build().setitem().stop()),
                ForbiddenGlobalException.class, "global os.system");
    }

    /** The five pickles of a legacy file then, per key, the given element count and bytes. */
    static byte[] legacy(byte[] magic, byte[] version, byte[] sysInfo, byte[] object, byte[] keys, Object... countsAndBytes) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        for (byte[] b : new byte[][]{magic, version, sysInfo, object, keys}) {
            out.writeBytes(b);
        }
        for (int i = 0; i < countsAndBytes.length; i += 2) {
            out.writeBytes(ByteBuffer.allocate(8).order(ByteOrder.LITTLE_ENDIAN).putLong((Long) countsAndBytes[i]).array());
            out.writeBytes((byte[]) countsAndBytes[i + 1]);
        }
        return out.toByteArray();
    }

    static final byte[] LEGACY_MAGIC = cat(LegacyFormat.MAGIC_PICKLE, ascii("."));
    static final byte[] LEGACY_VERSION = p2().integer(1001).stop().toByteArray();
    static final byte[] LEGACY_SYS_INFO = p2().emptyDict().string("protocol_version").integer(1001).setitem()
            .string("little_endian").bool(true).setitem().stop().toByteArray();

    /** {'module': {'w': tensor}} with a legacy persistent id (six items, the last {@code viewMetadata}). */
    private static byte[] legacyObject(long numel, long offset, PickleEmitter viewMetadata) {
        PickleEmitter p = p2().emptyDict().string("module").emptyDict().string("w");
        p.global("torch._utils", "_rebuild_tensor_v2").mark();
        p.mark().string("storage").global("torch", "FloatStorage").string("0").string("cpu").integer(numel);
        if (viewMetadata != null) {
            p.bytes(viewMetadata.toByteArray());
        }
        p.tupleFromMark().binpersid().integer(offset).integer(4).tuple(1).integer(1).tuple(1).bool(false)
                .global("collections", "OrderedDict").emptyTuple().reduce().tupleFromMark().reduce();
        return p.setitem().setitem().stop().toByteArray();
    }

    private static byte[] keys(String... keys) {
        PickleEmitter p = p2().emptyList().mark();
        for (String k : keys) {
            p.string(k);
        }
        return p.appends().stop().toByteArray();
    }

    /** A valid legacy file: {'module': {'w': float32 [4]}}. */
    static byte[] validLegacy() {
        return legacy(LEGACY_MAGIC, LEGACY_VERSION, LEGACY_SYS_INFO, legacyObject(4, 0, p2().none()), keys("0"),
                4L, Ckpt.floats(1, 2, 3, 4));
    }

    private void legacyCases() {
        Class<PickleFormatException> pf = PickleFormatException.class;
        Class<TensorRecordException> t = TensorRecordException.class;
        byte[] valid = validLegacy();
        byte[] obj = legacyObject(4, 0, p2().none());
        byte[] storage = Ckpt.floats(1, 2, 3, 4);
        int storagesStart = valid.length - 8 - 16;
        pt("legacy-magic-only", cat(LEGACY_MAGIC, new byte[32]), pf, "invalid pickle opcode");
        pt("legacy-wrong-magic-number", legacy(p2().integer(12345).stop().toByteArray(), LEGACY_VERSION, LEGACY_SYS_INFO,
                obj, keys("0"), 4L, storage), pf, "not torch's magic number");
        pt("legacy-wrong-protocol-version", legacy(LEGACY_MAGIC, p2().integer(1000).stop().toByteArray(),
                LEGACY_SYS_INFO, obj, keys("0"), 4L, storage), pf, "is the number 1000, expected 1001");
        pt("legacy-sys-info-not-a-dict", legacy(LEGACY_MAGIC, LEGACY_VERSION, p2().none().stop().toByteArray(), obj,
                keys("0"), 4L, storage), pf, "legacy sys_info: is None, expected a dict");
        pt("legacy-sys-info-over-64k", legacy(LEGACY_MAGIC, LEGACY_VERSION, p2().emptyDict().string("x")
                .string("y".repeat(70_000)).setitem().stop().toByteArray(), obj, keys("0"), 4L, storage),
                CheckpointLimitException.class, "longer than the limit of 65536 bytes");
        pt("legacy-big-endian", legacy(LEGACY_MAGIC, LEGACY_VERSION, p2().emptyDict().string("little_endian")
                .bool(false).setitem().stop().toByteArray(), obj, keys("0"), 4L, storage), CheckpointFormatException.class,
                "written on a big-endian machine");
        pt("legacy-truncated-in-object-pickle", Arrays.copyOf(valid, LEGACY_MAGIC.length + LEGACY_VERSION.length
                + LEGACY_SYS_INFO.length + obj.length / 2), pf, "legacy object (pickle at byte 70): malformed pickle");
        pt("legacy-truncated-before-storages", Arrays.copyOf(valid, storagesStart), t,
                "its element count at byte " + storagesStart + " lies beyond the end of the file");
        pt("legacy-truncated-in-storage", Arrays.copyOf(valid, valid.length - 3), t,
                "run past the end of the file");
        pt("legacy-storage-beyond-the-end", legacy(LEGACY_MAGIC, LEGACY_VERSION, LEGACY_SYS_INFO,
                legacyObject(1L << 40, 0, p2().none()), keys("0"), 1L << 40, storage), t,
                "its 1099511627776 elements of torch.FloatStorage from byte");
        pt("legacy-tensor-offset-beyond-storage", legacy(LEGACY_MAGIC, LEGACY_VERSION, LEGACY_SYS_INFO,
                legacyObject(4, 9, p2().none()), keys("0"), 4L, storage), t, "reaches element 12 but the storage has 4");
        pt("legacy-count-mismatch", legacy(LEGACY_MAGIC, LEGACY_VERSION, LEGACY_SYS_INFO, obj, keys("0"), 3L, storage),
                t, "the file stores 3 elements");
        pt("legacy-negative-count", legacy(LEGACY_MAGIC, LEGACY_VERSION, LEGACY_SYS_INFO, obj, keys("0"), -1L, storage),
                t, "the file stores -1 elements");
        pt("legacy-key-not-stored", legacy(LEGACY_MAGIC, LEGACY_VERSION, LEGACY_SYS_INFO, obj, keys()), t,
                "storage key '0' is used by the pickle but its data is not in the file");
        pt("legacy-key-never-used", legacy(LEGACY_MAGIC, LEGACY_VERSION, LEGACY_SYS_INFO, obj, keys("0", "1"), 4L,
                storage, 4L, storage), t, "storage key '1' is listed but the pickle never uses it");
        pt("legacy-key-listed-twice", legacy(LEGACY_MAGIC, LEGACY_VERSION, LEGACY_SYS_INFO, obj, keys("0", "0"), 4L,
                storage, 4L, storage), t, "storage key '0' is listed twice");
        pt("legacy-keys-not-a-list", legacy(LEGACY_MAGIC, LEGACY_VERSION, LEGACY_SYS_INFO, obj,
                p2().string("0").stop().toByteArray(), 4L, storage), pf, "expected a list of strings");
        pt("legacy-storage-view", legacy(LEGACY_MAGIC, LEGACY_VERSION, LEGACY_SYS_INFO,
                legacyObject(4, 0, p2().string("0").integer(0).integer(2).tuple(3)), keys("0"), 4L, storage), t,
                "storage views are not supported");
        pt("legacy-zip-style-persistent-id", legacy(LEGACY_MAGIC, LEGACY_VERSION, LEGACY_SYS_INFO,
                legacyObject(4, 0, null), keys("0"), 4L, storage), t, "numel, view_metadata)");
        pt("legacy-persistent-id-in-sys-info", legacy(LEGACY_MAGIC, LEGACY_VERSION, p2().mark().string("storage")
                .global("torch", "FloatStorage").string("0").string("cpu").integer(4).none().tupleFromMark().binpersid()
                .stop().toByteArray(), obj, keys("0"), 4L, storage), pf, "holds a persistent id");
        pt("legacy-forbidden-global", legacy(LEGACY_MAGIC, LEGACY_VERSION, LEGACY_SYS_INFO,
                ascii("cos\nsystem\n(S'touch pwned'\ntR."), keys(), new Object[0]), ForbiddenGlobalException.class,
                "global os.system");
        pt("legacy-magic-in-protocol-0", cat(ascii("L119547037146038801333356L\n."), new byte[8]),
                ZipFormatException.class, "not a PyTorch checkpoint: it starts with bytes 4C 31 31 39");
    }

    private void config(String name, String json, String fragment) {
        add(name, Reader.CONFIG, json.getBytes(StandardCharsets.UTF_8), ModelConfigException.class, fragment);
    }

    private static final String BASE = "\"num_layers\": 2, \"hidden_size\": 64, \"num_attention_heads\": 4, "
            + "\"vocab_size\": 23008, \"max_sequence_length\": 1024";

    private void configCases() {
        Class<ModelConfigException> m = ModelConfigException.class;
        add("config-invalid-utf8", Reader.CONFIG, cat(ascii("{\"model_class\": \""), new byte[]{(byte) 0xff, (byte) 0xfe},
                ascii("\", " + BASE + "}")), m, "not valid UTF-8: malformed byte sequence at byte offset 17");
        add("config-latin1-text", Reader.CONFIG, ascii("{\"tokenizer_type\": \"caf\u00e9\", " + BASE + "}"), m,
                "not valid UTF-8");
        add("config-utf8-bom", Reader.CONFIG, cat(new byte[]{(byte) 0xEF, (byte) 0xBB, (byte) 0xBF},
                ascii("{" + BASE + "}")), m, "byte-order mark");
        config("config-not-json", "num_layers = 2\nhidden_size = 64", "not valid JSON");
        config("config-array", "[2, 64, 4]", "expected a JSON object, found an array");
        config("config-empty", "", "the file is empty");
        config("config-layers-string", "{" + BASE.replace("\"num_layers\": 2", "\"num_layers\": \"2\"") + "}",
                "num_layers must be an integer, found a string");
        config("config-layers-float", "{" + BASE.replace("\"num_layers\": 2", "\"num_layers\": 2.5") + "}",
                "num_layers must be an integer, found a number 2.5");
        config("config-layers-boolean", "{" + BASE.replace("\"num_layers\": 2", "\"num_layers\": true") + "}",
                "found a boolean");
        config("config-layers-null", "{" + BASE.replace("\"num_layers\": 2", "\"num_layers\": null") + "}",
                "num_layers must be an integer, found null");
        config("config-hidden-negative", "{" + BASE.replace("\"hidden_size\": 64", "\"hidden_size\": -64") + "}",
                "hidden_size = -64 is outside the sane range");
        config("config-hidden-absurd", "{" + BASE.replace("\"hidden_size\": 64", "\"hidden_size\": 1000000000000") + "}",
                "hidden_size = 1000000000000 is outside the sane range");
        config("config-layers-absurd", "{" + BASE.replace("\"num_layers\": 2", "\"num_layers\": 100000") + "}",
                "num_layers = 100000 is outside");
        config("config-max-length-zero", "{" + BASE.replace("1024", "0") + "}", "max_sequence_length = 0 is outside");
        config("config-heads-do-not-divide", "{" + BASE.replace("\"num_attention_heads\": 4",
                "\"num_attention_heads\": 5") + "}", "not divisible by num_attention_heads 5");
        config("config-layernorm-order-invalid", "{" + BASE + ", \"layernorm_order\": \"middle\"}",
                "layernorm_order must be \"pre\", \"post\" or \"sandwich\"");
        config("config-vocab-missing", "{\"num_layers\": 2, \"hidden_size\": 64, \"num_attention_heads\": 4}",
                "vocab_size is missing");
        config("config-duplicate-key", "{" + BASE + ", \"num_layers\": 48}", "Duplicate field 'num_layers'");
        config("config-nesting-1000", "{" + BASE + ", \"layout\": " + "[".repeat(1000) + "]".repeat(1000) + "}",
                "nesting depth");
        config("config-nan", "{" + BASE + ", \"hidden_dropout\": NaN}", "not valid JSON");
        config("config-300-digit-number", "{" + BASE + ", \"seed\": " + "7".repeat(300) + "}", "Number value length");
        config("config-model-parallel-2", "{" + BASE + ", \"model_parallel_size\": 2}", "model_parallel_size is 2");
        config("config-trailing-garbage", "{" + BASE + "} {\"x\": 1}", "not valid JSON");
        config("config-inner-size-zero", "{" + BASE + ", \"inner_hidden_size\": 0}", "inner_hidden_size = 0 is outside");
        config("config-too-large", "{" + BASE + "}" + " ".repeat(300 * 1024), "file is larger than 262144 bytes");
    }

    private void latestCases() {
        Class<ModelConfigException> m = ModelConfigException.class;
        add("latest-not-a-number", Reader.LATEST, ascii("best\n"), m, "holds 'best'");
        add("latest-zero", Reader.LATEST, ascii("0\n"), m, "iteration 0 is not a positive");
        add("latest-negative", Reader.LATEST, ascii("-5"), m, "holds '-5'");
        add("latest-path-traversal", Reader.LATEST, ascii("../../../etc"), m, "holds '../../../etc'");
        add("latest-too-long", Reader.LATEST, ascii("1".repeat(100)), m, "longer than 64 bytes");
        add("latest-invalid-utf8", Reader.LATEST, new byte[]{'4', (byte) 0xC3, '8'}, m, "not valid UTF-8");
        add("latest-beyond-64-bits", Reader.LATEST, ascii("99999999999999999999"), m, "not a positive 64-bit number");
    }

    private static byte[] npyHeader(String dict, int dataBytes) {
        String h = dict;
        int total = 10 + h.length() + 1;
        h = h + " ".repeat((64 - total % 64) % 64) + "\n";
        ByteBuffer b = ByteBuffer.allocate(10 + h.length() + dataBytes).order(ByteOrder.LITTLE_ENDIAN);
        b.put(new byte[]{(byte) 0x93, 'N', 'U', 'M', 'P', 'Y', 1, 0}).putShort((short) h.length()).put(ascii(h));
        return b.array();
    }

    private void npyCases() {
        Class<ModelFormatException> m = ModelFormatException.class;
        add("npy-wrong-magic", Reader.NPY, ascii("NUMPY\u0001\u0000 not really"), m, "magic \\x93NUMPY missing");
        add("npy-version-9", Reader.NPY, cat(new byte[]{(byte) 0x93, 'N', 'U', 'M', 'P', 'Y', 9, 0, 0, 0}), m,
                "unsupported .npy format version 9");
        add("npy-header-past-end", Reader.NPY, new byte[]{(byte) 0x93, 'N', 'U', 'M', 'P', 'Y', 1, 0, (byte) 0xff, 0x7f},
                m, "header runs past the end");
        add("npy-shape-overflow", Reader.NPY, npyHeader("{'descr': '<f4', 'fortran_order': False, 'shape': "
                + "(2147483647, 2147483647, 2147483647), }", 0), m, "has more than 268435456 elements");
        add("npy-complex-dtype", Reader.NPY, npyHeader("{'descr': '<c16', 'fortran_order': False, 'shape': (1,), }", 16),
                m, "unsupported dtype '<c16'");
        add("npy-fortran-order", Reader.NPY, npyHeader("{'descr': '<f4', 'fortran_order': True, 'shape': (2, 2), }", 16),
                m, "Fortran-order arrays are not supported");
        add("npy-data-truncated", Reader.NPY, npyHeader("{'descr': '<f4', 'fortran_order': False, 'shape': (4,), }", 8),
                m, "data holds 8 bytes but shape [4] of <f4 needs 16");
        add("npy-negative-dimension", Reader.NPY, npyHeader("{'descr': '<f4', 'fortran_order': False, 'shape': (-1,), }",
                0), m, "bad dimension '-1'");
    }

    /** Checks no name repeats (they become file names). */
    static void checkNames(List<Case> all) {
        java.util.Set<String> seen = new java.util.HashSet<>();
        for (Case c : all) {
            if (!seen.add(c.name())) {
                throw new IllegalStateException("duplicate corpus name " + c.name());
            }
        }
    }
}
