package org.cogview2.checkpoint;

import net.razorvine.pickle.Opcodes;
import net.razorvine.pickle.PickleUtils;
import net.razorvine.pickle.UnpickleStack;
import net.razorvine.pickle.Unpickler;
import org.cogview2.checkpoint.PickleAllowList.Global;
import org.cogview2.checkpoint.PickleAllowList.Kind;
import org.cogview2.checkpoint.PickleAllowList.StorageType;

import java.io.IOException;
import java.io.InputStream;
import java.lang.foreign.MemorySegment;
import java.math.BigInteger;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.regex.Pattern;

/**
 * A weights-only unpickler built on Pyrolite's {@link Unpickler}: Pyrolite decodes the plain-data opcodes (numbers,
 * tuples, lists, memo lookups, protocol framing); every opcode that can name, call or configure an object is
 * handled here against the {@link PickleAllowList}, so no Pyrolite object constructor (its static
 * {@code objectConstructors} registry, its {@code ClassDict} fallback for unknown classes, its reflective
 * {@code __setstate__} for {@code BUILD}) is ever reached. Opcodes whose Pyrolite implementation is unsafe on
 * hostile input are also handled here: length-prefixed strings and bytes (Pyrolite allocates the claimed length
 * before reading), {@code APPENDS}/{@code POP_MARK} (quadratic {@code trimToSize}), dicts and sets (Pyrolite's
 * {@code HashMap} loses state-dict order and hashes unhashable keys recursively), memo writes (unbounded).
 *
 * <p>The result is a raw tree of: {@code null}, {@link Boolean}, {@link Integer}/{@link Long}/{@link BigInteger},
 * {@link Double}, {@link String}, {@code byte[]}, {@code Object[]} (tuple), {@link ArrayList} (list),
 * {@link LinkedHashMap} (dict; {@link OrderedDictRaw} for an OrderedDict), {@link PySet}, {@link TensorRef},
 * {@link StorageRef}, {@link InertRaw}, {@link NumpyArrayRaw}, {@link NumpyDtypeRaw}; {@link TreeBuilder} turns it
 * into the public tree.
 */
final class SafeUnpickler extends Unpickler {

    /** Finds storage records {@code <prefix>/data/<key>}. */
    interface StorageRecords {
        /** The record's bytes, or {@code null} if the archive has no such record. */
        MemorySegment find(String key);

        /** The record's entry name, for messages. */
        String recordName(String key);
    }

    /**
     * A storage: a typed, zero-copy view of one {@code data/<key>} record. A legacy file's storages follow the
     * pickle, so they are bound to their bytes only once the whole stream has been read.
     */
    static final class StorageRef {
        private final String key;
        private final StorageType type;
        private final long numel;
        private MemorySegment data;

        StorageRef(String key, StorageType type, long numel, MemorySegment data) {
            this.key = key;
            this.type = type;
            this.numel = numel;
            this.data = data;
        }

        String key() {
            return key;
        }

        StorageType type() {
            return type;
        }

        long numel() {
            return numel;
        }

        /** The bytes, or {@code null} while a legacy storage is unbound. */
        MemorySegment data() {
            return data;
        }

        void bind(MemorySegment bytes) {
            data = bytes;
        }
    }

    /** A validated tensor view of a storage. */
    record TensorRef(StorageRef storage, long offset, int[] size, long[] stride, long count, boolean contiguous) {
    }

    /** An OrderedDict (a state dict): a dict that accepts {@code BUILD} with its {@code _metadata}. */
    static final class OrderedDictRaw extends LinkedHashMap<Object, Object> {
    }

    /** A Python set or frozenset (items in insertion order). */
    static final class PySet {
        final String global;
        final LinkedHashSet<Object> items = new LinkedHashSet<>();

        PySet(String global) {
            this.global = global;
        }
    }

    /** A numpy dtype: {@code REDUCE} gives its type code ({@code u4}), {@code BUILD} its byte order. */
    static final class NumpyDtypeRaw {
        final String typeCode;
        String byteOrder;

        NumpyDtypeRaw(String typeCode) {
            this.typeCode = typeCode;
        }
    }

    /** An array made by numpy's {@code _reconstruct}; {@code BUILD} (its {@code __setstate__}) gives its content. */
    static final class NumpyArrayRaw {
        NumpyArray value;
    }

    /** An object of a caller-allowed inert global. */
    static final class InertRaw {
        final String global;
        final Object[] args;
        Object state;

        InertRaw(String global, Object[] args) {
            this.global = global;
            this.args = args;
        }
    }

    private static final Pattern STORAGE_KEY = Pattern.compile("[A-Za-z0-9_]{1,64}");
    private static final String[] OPCODE_NAMES = new String[256];

    static {
        String[][] names = {
                {"(", "MARK"}, {".", "STOP"}, {"0", "POP"}, {"1", "POP_MARK"}, {"2", "DUP"}, {"F", "FLOAT"},
                {"I", "INT"}, {"J", "BININT"}, {"K", "BININT1"}, {"L", "LONG"}, {"M", "BININT2"}, {"N", "NONE"},
                {"P", "PERSID"}, {"Q", "BINPERSID"}, {"R", "REDUCE"}, {"S", "STRING"}, {"T", "BINSTRING"},
                {"U", "SHORT_BINSTRING"}, {"V", "UNICODE"}, {"X", "BINUNICODE"}, {"a", "APPEND"}, {"b", "BUILD"},
                {"c", "GLOBAL"}, {"d", "DICT"}, {"}", "EMPTY_DICT"}, {"e", "APPENDS"}, {"g", "GET"},
                {"h", "BINGET"}, {"i", "INST"}, {"j", "LONG_BINGET"}, {"l", "LIST"}, {"]", "EMPTY_LIST"},
                {"o", "OBJ"}, {"p", "PUT"}, {"q", "BINPUT"}, {"r", "LONG_BINPUT"}, {"s", "SETITEM"}, {"t", "TUPLE"},
                {")", "EMPTY_TUPLE"}, {"u", "SETITEMS"}, {"G", "BINFLOAT"}, {"B", "BINBYTES"},
                {"C", "SHORT_BINBYTES"},
        };
        for (String[] n : names) {
            OPCODE_NAMES[n[0].charAt(0)] = n[1];
        }
        String[] high = {"PROTO", "NEWOBJ", "EXT1", "EXT2", "EXT4", "TUPLE1", "TUPLE2", "TUPLE3", "NEWTRUE",
                "NEWFALSE", "LONG1", "LONG4", "BINUNICODE8", "SHORT_BINUNICODE", "BINBYTES8", "EMPTY_SET",
                "ADDITEMS", "FROZENSET", "NEWOBJ_EX", "STACK_GLOBAL", "MEMOIZE", "FRAME", "BYTEARRAY8",
                "NEXT_BUFFER", "READONLY_BUFFER"};
        int[] codes = {0x80, 0x81, 0x82, 0x83, 0x84, 0x85, 0x86, 0x87, 0x88, 0x89, 0x8a, 0x8b, 0x8d, 0x8c, 0x8e,
                0x8f, 0x90, 0x91, 0x92, 0x93, 0x94, 0x95, 0x96, 0x97, 0x98};
        for (int i = 0; i < high.length; i++) {
            OPCODE_NAMES[codes[i]] = high[i];
        }
    }

    private final Path file;
    private final String entry;
    private final PickleAllowList allowList;
    private final Limits limits;
    private final StorageRecords records;
    private final Map<String, StorageRef> storages = new LinkedHashMap<>();
    private boolean cappedAtLimit;
    private long end;
    private SegmentInputStream in;
    private SafeStack st;
    private long opcodes;
    private long opStart;
    private int op;

    /** A zip archive's {@code data.pkl}: persistent ids name the records of {@code records}. */
    SafeUnpickler(Path file, String entry, PickleAllowList allowList, Limits limits, StorageRecords records) {
        this.file = file;
        this.entry = entry;
        this.allowList = allowList;
        this.limits = limits;
        this.records = records;
    }

    /**
     * A pickle of a legacy stream: persistent ids carry a sixth item ({@code view_metadata}) and their storages
     * stay unbound until the caller has found them after the last pickle ({@link #storages()}).
     */
    SafeUnpickler(Path file, String entry, PickleAllowList allowList, Limits limits) {
        this(file, entry, allowList, limits, null);
    }

    /**
     * Unpickles the pickle that starts at {@code offset} of a stream of pickles and ends at {@link #end()}; at most
     * the pickle size limit is read.
     */
    Object unpickleAt(MemorySegment stream, long offset) {
        long available = stream.byteSize() - offset;
        cappedAtLimit = available > limits.maxPickleBytes();
        Object value = unpickle(stream.asSlice(offset, Math.min(available, limits.maxPickleBytes())));
        end = offset + in.position();
        return value;
    }

    /** Where the pickle read by {@link #unpickleAt} ended (the offset after its {@code STOP}). */
    long end() {
        return end;
    }

    /** The storages the pickle named, by key, in first-use order. */
    Map<String, StorageRef> storages() {
        return storages;
    }

    /** Unpickles {@code data.pkl}; every failure is a {@link CheckpointFormatException} subclass. */
    Object unpickle(MemorySegment pickle) {
        if (pickle.byteSize() > limits.maxPickleBytes()) {
            throw new CheckpointLimitException(file, entry, "maxPickleBytes", "pickle of " + pickle.byteSize()
                    + " bytes exceeds the limit of " + limits.maxPickleBytes() + " bytes");
        }
        in = new SegmentInputStream(pickle);
        try {
            return load(in);
        } catch (CheckpointFormatException | ForbiddenGlobalException e) {
            throw e;
        } catch (IOException | RuntimeException e) {
            String msg = e.getMessage() == null ? e.getClass().getSimpleName() : e.getMessage();
            throw malformed(msg, e);
        } catch (StackOverflowError e) {
            throw malformed("structure too deeply nested for the reader", null);
        } finally {
            memo.clear();
            if (st != null) {
                st.clear();
            }
        }
    }

    /** Whether {@code o} is this unpickler's MARK object (which must never end up in the data). */
    boolean isMarker(Object o) {
        return st != null && st.isMarker(o);
    }

    /** Number of opcodes executed by the last {@link #unpickle}. */
    long opcodeCount() {
        return opcodes;
    }

    @Override
    public Object load(InputStream stream) throws IOException {
        st = new SafeStack();
        stack = st;
        input = stream;
        opcodes = 0;
        while (true) {
            opStart = in.position();
            int key = in.read();
            if (key < 0) {
                throw truncated("the pickle ends without a STOP opcode (truncated)");
            }
            op = key;
            if (++opcodes > limits.maxOpcodes()) {
                throw new CheckpointLimitException(file, entry, "maxOpcodes", "pickle executes more than "
                        + limits.maxOpcodes() + " opcodes (stopped at byte " + opStart + ")");
            }
            Object value = dispatch((short) key);
            if (value != NO_RETURN_VALUE) {
                return value;
            }
        }
    }

    @Override
    protected Object dispatch(short key) throws IOException {
        switch (key) {
            case Opcodes.STOP -> {
                Object v = pop();
                return v;
            }
            case Opcodes.GLOBAL -> {
                String module = readLine("module name of GLOBAL");
                String name = readLine("global name of GLOBAL");
                st.add(resolveGlobal(module, name));
            }
            case Opcodes.STACK_GLOBAL -> {
                Object name = pop();
                Object module = pop();
                if (!(module instanceof String m) || !(name instanceof String n)) {
                    throw malformed("STACK_GLOBAL needs two strings, found " + typeName(module) + " and "
                            + typeName(name), null);
                }
                st.add(resolveGlobal(m, n));
            }
            case Opcodes.INST -> {
                String module = readLine("module name of INST");
                String name = readLine("class name of INST");
                Global g = resolveGlobal(module, name);
                List<Object> args = popMark();
                st.add(call(g, args.toArray(), "INST"));
            }
            case Opcodes.OBJ -> {
                List<Object> items = popMark();
                if (items.isEmpty()) {
                    throw malformed("OBJ without a class", null);
                }
                st.add(call(items.getFirst(), items.subList(1, items.size()).toArray(), "OBJ"));
            }
            case Opcodes.REDUCE -> {
                Object args = pop();
                Object callable = pop();
                st.add(call(callable, tupleArgs(args, "REDUCE"), "REDUCE"));
            }
            case Opcodes.NEWOBJ -> {
                Object args = pop();
                Object cls = pop();
                st.add(newObject(cls, tupleArgs(args, "NEWOBJ"), "NEWOBJ"));
            }
            case Opcodes.NEWOBJ_EX -> {
                Object kwargs = pop();
                Object args = pop();
                Object cls = pop();
                if (!(kwargs instanceof Map<?, ?> kw) || !kw.isEmpty()) {
                    throw malformed("NEWOBJ_EX with keyword arguments (" + typeName(kwargs) + ") is not supported",
                            null);
                }
                st.add(newObject(cls, tupleArgs(args, "NEWOBJ_EX"), "NEWOBJ_EX"));
            }
            case Opcodes.BUILD -> {
                Object state = pop();
                build(peek(), state);
            }
            case Opcodes.EXT1, Opcodes.EXT2, Opcodes.EXT4 -> throw new ForbiddenGlobalException(file,
                    "copyreg extension " + opcodeName(key), entry + ": opcode " + opcodeName(key) + " at byte "
                    + opStart + " names a global through the copyreg extension registry; refused (only "
                    + "explicitly named, allow-listed globals are accepted)");
            case Opcodes.PERSID -> throw malformed("text persistent id (PERSID); torch.save writes BINPERSID", null);
            case Opcodes.BINPERSID -> st.add(persistentLoad(pop()));
            case Opcodes.EMPTY_DICT -> st.add(new LinkedHashMap<>());
            case Opcodes.DICT -> {
                List<Object> items = popMark();
                if (items.size() % 2 != 0) {
                    throw malformed("DICT with an odd number (" + items.size() + ") of keys and values", null);
                }
                Map<Object, Object> d = new LinkedHashMap<>();
                putAll(d, items);
                st.add(d);
            }
            case Opcodes.SETITEM -> {
                Object value = pop();
                Object k = pop();
                putAll(dictOnTop("SETITEM"), List.of(wrapNull(k), wrapNull(value)));
            }
            case Opcodes.SETITEMS -> {
                List<Object> items = popMark();
                if (items.size() % 2 != 0) {
                    throw malformed("SETITEMS with an odd number (" + items.size() + ") of keys and values", null);
                }
                putAll(dictOnTop("SETITEMS"), items);
            }
            case Opcodes.EMPTY_SET -> st.add(new PySet("builtins.set"));
            case Opcodes.ADDITEMS -> {
                List<Object> items = popMark();
                if (!(peek() instanceof PySet set)) {
                    throw malformed("ADDITEMS on a " + typeName(peek()) + ", expected a set", null);
                }
                addAll(set, items);
            }
            case Opcodes.FROZENSET -> {
                PySet set = new PySet("builtins.frozenset");
                addAll(set, popMark());
                st.add(set);
            }
            case Opcodes.APPEND -> {
                Object value = pop();
                listOnTop("APPEND").add(value);
            }
            case Opcodes.APPENDS -> {
                List<Object> items = popMark();
                listOnTop("APPENDS").addAll(items);
            }
            case Opcodes.POP_MARK -> popMark();
            case Opcodes.PUT -> memoPut(parseIndex(readLine("memo index of PUT")));
            case Opcodes.BINPUT -> memoPut(readUnsigned(1, "BINPUT index"));
            case Opcodes.LONG_BINPUT -> memoPut(readUnsigned(4, "LONG_BINPUT index"));
            case Opcodes.MEMOIZE -> memoPut(memo.size());
            case Opcodes.GET -> {
                int i = parseIndex(readLine("memo index of GET"));
                st.add(memoGet(i));
            }
            case Opcodes.BINGET -> st.add(memoGet(readUnsigned(1, "BINGET index")));
            case Opcodes.LONG_BINGET -> st.add(memoGet(readUnsigned(4, "LONG_BINGET index")));
            case Opcodes.BINSTRING -> st.add(new String(readCounted(readUnsigned(4, "BINSTRING length")),
                    StandardCharsets.ISO_8859_1));
            case Opcodes.SHORT_BINSTRING -> st.add(new String(readCounted(readUnsigned(1, "SHORT_BINSTRING length")),
                    StandardCharsets.ISO_8859_1));
            case Opcodes.BINUNICODE -> st.add(utf8(readCounted(readUnsigned(4, "BINUNICODE length"))));
            case Opcodes.SHORT_BINUNICODE -> st.add(utf8(readCounted(readUnsigned(1, "SHORT_BINUNICODE length"))));
            case Opcodes.BINUNICODE8 -> st.add(utf8(readCounted(readUnsigned(8, "BINUNICODE8 length"))));
            case Opcodes.BINBYTES -> st.add(readCounted(readUnsigned(4, "BINBYTES length")));
            case Opcodes.SHORT_BINBYTES -> st.add(readCounted(readUnsigned(1, "SHORT_BINBYTES length")));
            case Opcodes.BINBYTES8, Opcodes.BYTEARRAY8 -> st.add(readCounted(readUnsigned(8,
                    opcodeName(key) + " length")));
            case Opcodes.LONG1 -> st.add(PickleUtils.decode_long(readCounted(readUnsigned(1, "LONG1 length"))));
            case Opcodes.LONG4 -> {
                long n = readUnsigned(4, "LONG4 length");
                if (n > limits.maxIntBytes()) {
                    throw new CheckpointLimitException(file, entry, "maxIntBytes", "LONG4 integer of " + n
                            + " bytes at byte " + opStart + " exceeds the limit of " + limits.maxIntBytes());
                }
                st.add(PickleUtils.decode_long(readCounted(n)));
            }
            case Opcodes.INT, Opcodes.LONG, Opcodes.FLOAT, Opcodes.STRING, Opcodes.UNICODE -> {
                requireLine();
                super.dispatch(key);
            }
            default -> {
                return super.dispatch(key);
            }
        }
        return NO_RETURN_VALUE;
    }

    // ---------------------------------------------------------------- globals and calls

    private Global resolveGlobal(String module, String name) {
        Global g = allowList.resolve(module, name);
        if (g != null) {
            return g;
        }
        String qualified = PickleAllowList.canonicalModule(module) + "." + name;
        if (module.equals("torch") && name.endsWith("Storage") && name.length() > "Storage".length()) {
            throw new TensorRecordException(file, entry, "unsupported storage type torch." + name
                    + " at byte " + opStart + ": element types supported are Half, Float, BFloat16, Long, Int "
                    + "(and, kept opaque, Double, Short, Char, Byte, Bool)");
        }
        throw new ForbiddenGlobalException(file, qualified, entry + ": global " + qualified
                + " (opcode " + opcodeName(op) + " at byte " + opStart + ") is not in the weights-only allow-list; "
                + "the file was rejected and nothing from it was executed. Allowed: tensor rebuild functions, "
                + "torch storage types, collections.OrderedDict, builtins.set/frozenset, _codecs.encode, and as "
                + "training state numpy arrays (numpy.core.multiarray._reconstruct, numpy.dtype), torch.Size, "
                + "argparse.Namespace"
                + (allowList.globals().size() > PickleAllowList.weightsOnly().globals().size()
                ? " and the globals the caller added" : "")
                + ". If you trust the file, PickleAllowList.withInertGlobal(\"" + module + "\", \"" + name
                + "\") keeps such objects as inert placeholders.");
    }

    private Object call(Object callable, Object[] args, String how) {
        if (!(callable instanceof Global g)) {
            throw malformed(how + " applied to " + typeName(callable) + ", which is not a callable global", null);
        }
        return switch (g.kind()) {
            case ORDERED_DICT -> {
                OrderedDictRaw d = new OrderedDictRaw();
                if (args.length > 1) {
                    throw malformed(how + " of collections.OrderedDict with " + args.length
                            + " arguments (at most one iterable of pairs)", null);
                }
                if (args.length == 1) {
                    for (Object pair : iterable(args[0], "collections.OrderedDict argument")) {
                        Object[] kv = pairOf(pair);
                        putAll(d, List.of(wrapNull(kv[0]), wrapNull(kv[1])));
                    }
                }
                yield d;
            }
            case SET, FROZENSET -> {
                PySet set = new PySet(g.name());
                if (args.length > 1) {
                    throw malformed(how + " of " + g.name() + " with " + args.length + " arguments", null);
                }
                if (args.length == 1) {
                    addAll(set, iterable(args[0], g.name() + " argument"));
                }
                yield set;
            }
            case CODECS_ENCODE -> codecsEncode(args);
            case REBUILD_TENSOR -> {
                requireArgs(g, args, 4, 4);
                yield rebuildTensor(g, args);
            }
            case REBUILD_TENSOR_V2 -> {
                requireArgs(g, args, 6, 7);
                yield rebuildTensor(g, args);
            }
            case REBUILD_PARAMETER, REBUILD_PARAMETER_WITH_STATE -> {
                requireArgs(g, args, g.kind() == Kind.REBUILD_PARAMETER ? 3 : 4, g.kind() == Kind.REBUILD_PARAMETER ? 3 : 4);
                if (!(args[0] instanceof TensorRef t)) {
                    throw malformed(g.name() + " argument 0 is " + typeName(args[0]) + ", expected a tensor", null);
                }
                yield t;
            }
            case STORAGE_TYPE -> throw malformed(how + " calls the storage type " + g.name()
                    + "; storage types may only appear inside persistent ids", null);
            case INERT -> new InertRaw(g.name(), args);
            case NUMPY_RECONSTRUCT -> {
                // ndarray.__reduce__: _reconstruct(numpy.ndarray, (0,), b'b'), an empty array BUILD then fills
                requireArgs(g, args, 3, 3);
                if (!(args[0] instanceof Global cls) || cls.kind() != Kind.NUMPY_NDARRAY) {
                    throw malformed(g.name() + " of " + typeName(args[0]) + "; only numpy.ndarray itself (no "
                            + "subclass) is accepted", null);
                }
                yield new NumpyArrayRaw();
            }
            case NUMPY_NDARRAY -> throw malformed(how + " of numpy.ndarray; arrays are only accepted as numpy "
                    + "pickles them, through _reconstruct", null);
            case NUMPY_DTYPE -> {
                // dtype.__reduce__: numpy.dtype('u4', False, True); the byte order comes with BUILD
                requireArgs(g, args, 3, 3);
                if (!(args[0] instanceof String code) || !NumpyArray.PLAIN_TYPE.matcher(code).matches()) {
                    throw malformed("numpy.dtype of " + describe(args[0]) + "; only plain bool, integer and "
                            + "float types are accepted", null);
                }
                yield new NumpyDtypeRaw(code);
            }
            case TORCH_SIZE -> {
                // torch.Size.__reduce__: torch.Size((d0, d1, ...))
                requireArgs(g, args, 1, 1);
                for (Object d : sequence(args[0], "torch.Size")) {
                    nonNegativeLong(d, "torch.Size dimension");
                }
                yield new InertRaw(g.name(), args);
            }
            case NAMESPACE -> {
                // copyreg.__newobj__: Namespace() with its attributes as BUILD state
                requireArgs(g, args, 0, 0);
                yield new InertRaw(g.name(), args);
            }
        };
    }

    private Object newObject(Object cls, Object[] args, String how) {
        if (cls instanceof Global g && (g.kind() == Kind.ORDERED_DICT || g.kind() == Kind.SET
                || g.kind() == Kind.FROZENSET || g.kind() == Kind.INERT || g.kind() == Kind.NAMESPACE)) {
            return call(g, args, how);
        }
        throw malformed(how + " on " + typeName(cls) + "; only classes (OrderedDict, set, frozenset, "
                + "argparse.Namespace, inert globals) can be instantiated", null);
    }

    private void build(Object target, Object state) {
        if (target instanceof OrderedDictRaw) {
            // OrderedDict state: its instance __dict__, e.g. {'_metadata': {...}} of a state dict; ignored.
            if (state == null || state instanceof Map<?, ?>) {
                return;
            }
            if (state instanceof Object[] pair && pair.length == 2
                    && (pair[0] == null || pair[0] instanceof Map<?, ?>)
                    && (pair[1] == null || pair[1] instanceof Map<?, ?>)) {
                return;
            }
            throw malformed("BUILD of an OrderedDict with state of type " + typeName(state)
                    + ", expected a dict", null);
        }
        if (target instanceof NumpyDtypeRaw d && d.byteOrder == null) {
            d.byteOrder = dtypeByteOrder(d, state);
            return;
        }
        if (target instanceof NumpyArrayRaw a && a.value == null) {
            a.value = numpyArray(state);
            return;
        }
        if (target instanceof InertRaw r && !r.global.equals("torch.Size") && r.state == null) {
            r.state = state;
            return;
        }
        throw malformed("BUILD on " + typeName(target) + "; only OrderedDict, numpy arrays and dtypes, and inert "
                + "objects accept state, once", null);
    }

    /** numpy's dtype state {@code (3, '<', None, None, None, -1, -1, 0)} (version 4 appends metadata). */
    private String dtypeByteOrder(NumpyDtypeRaw d, Object state) {
        if (!(state instanceof Object[] s) || s.length < 8 || s.length > 9 || !(s[0] instanceof Integer v)
                || v != s.length - 5) {
            throw malformed("numpy.dtype state is " + typeName(state) + (state instanceof Object[] a ? " of "
                    + a.length + " items" : "") + ", expected (3, byte order, None, None, None, -1, -1, 0)", null);
        }
        if (s[2] != null || s[3] != null || s[4] != null) {
            throw malformed("numpy.dtype with a sub-array or fields (a structured type) is not supported", null);
        }
        String order = s[1] instanceof String o ? o : "";
        return switch (order) {
            // one-byte types have no byte order; '=' is the writer's native order, little-endian in practice
            case "<", "=" -> d.typeCode.endsWith("1") ? "|" : "<";
            case ">" -> d.typeCode.endsWith("1") ? "|" : ">";
            case "|" -> "|";
            default -> throw malformed("numpy.dtype byte order " + describe(s[1]) + ", expected '<', '>', '|' or '='",
                    null);
        };
    }

    /** numpy's array state {@code (1, shape, dtype, is_fortran, raw_bytes)}; the bytes must fill the shape. */
    private NumpyArray numpyArray(Object state) {
        if (!(state instanceof Object[] s) || s.length != 5 || !Integer.valueOf(1).equals(s[0])) {
            throw malformed("numpy array state is " + typeName(state) + (state instanceof Object[] a ? " of "
                    + a.length + " items" : "") + ", expected (1, shape, dtype, is_fortran, bytes)", null);
        }
        Object[] dims = sequence(s[1], "numpy array shape");
        if (dims.length > limits.maxTensorRank()) {
            throw new CheckpointLimitException(file, entry, "maxTensorRank", "numpy array of " + dims.length
                    + " dimensions; at most " + limits.maxTensorRank() + " are accepted");
        }
        int[] shape = new int[dims.length];
        for (int k = 0; k < dims.length; k++) {
            long d = nonNegativeLong(dims[k], "numpy array dimension " + k);
            if (d > Integer.MAX_VALUE) {
                throw new TensorRecordException(file, entry, "numpy array dimension " + k + " = " + d
                        + " exceeds 2^31-1");
            }
            shape[k] = (int) d;
        }
        if (!(s[2] instanceof NumpyDtypeRaw dtype) || dtype.byteOrder == null) {
            throw malformed("numpy array dtype is " + typeName(s[2]) + ", expected a numpy.dtype with its state", null);
        }
        if (!(s[3] instanceof Boolean fortran)) {
            throw malformed("numpy array is_fortran flag is " + typeName(s[3]) + ", expected a bool", null);
        }
        if (!(s[4] instanceof byte[] bytes)) {
            throw malformed("numpy array data is " + typeName(s[4]) + ", expected bytes (arrays of Python objects "
                    + "are not supported)", null);
        }
        String type = dtype.byteOrder + dtype.typeCode;
        long expected = NumpyArray.byteSize(type, shape);
        if (expected != bytes.length) {
            throw new TensorRecordException(file, entry, "numpy array of " + type + " and shape "
                    + Arrays.toString(shape) + " needs " + (expected < 0 ? "more than 2^63" : String.valueOf(expected))
                    + " bytes but its pickle holds " + bytes.length);
        }
        return new NumpyArray(type, shape, fortran, bytes);
    }

    private Object codecsEncode(Object[] args) {
        if (args.length != 2 || !(args[0] instanceof String s) || !(args[1] instanceof String enc)) {
            throw malformed("_codecs.encode expects (str, encoding), got " + describeArgs(args), null);
        }
        String e = enc.toLowerCase(java.util.Locale.ROOT).replace('_', '-');
        switch (e) {
            case "latin1", "latin-1", "iso-8859-1", "iso8859-1" -> {
                byte[] out = new byte[s.length()];
                for (int i = 0; i < s.length(); i++) {
                    char c = s.charAt(i);
                    if (c > 0xFF) {
                        throw malformed("_codecs.encode: character U+" + Integer.toHexString(c)
                                + " cannot be encoded in latin-1", null);
                    }
                    out[i] = (byte) c;
                }
                return out;
            }
            case "utf-8", "utf8" -> {
                return s.getBytes(StandardCharsets.UTF_8);
            }
            default -> throw malformed("_codecs.encode with encoding '" + enc + "'; only latin-1 and utf-8 are "
                    + "accepted", null);
        }
    }

    // ---------------------------------------------------------------- tensors

    @Override
    protected Object persistentLoad(Object pid) {
        boolean legacy = records == null;
        if (!(pid instanceof Object[] t) || t.length != (legacy ? 6 : 5)) {
            throw new TensorRecordException(file, entry, "persistent id at byte " + opStart + " is "
                    + typeName(pid) + (pid instanceof Object[] a ? " of " + a.length + " items" : "")
                    + ", expected ('storage', storage_type, key, location, numel" + (legacy ? ", view_metadata)" : ")"));
        }
        if (!"storage".equals(t[0])) {
            throw new TensorRecordException(file, entry, "persistent id at byte " + opStart + " has kind "
                    + describe(t[0]) + ", expected 'storage'");
        }
        if (!(t[1] instanceof Global g) || g.kind() != Kind.STORAGE_TYPE) {
            throw new TensorRecordException(file, entry, "persistent id at byte " + opStart + " has storage type "
                    + typeName(t[1]) + ", expected a torch.*Storage global");
        }
        if (!(t[2] instanceof String key) || !STORAGE_KEY.matcher(key).matches()) {
            throw new TensorRecordException(file, entry, "persistent id at byte " + opStart + " has storage key "
                    + describe(t[2]) + ", expected 1 to 64 letters, digits or '_'");
        }
        if (!(t[3] instanceof String location) || location.length() > 64) {
            throw new TensorRecordException(file, entry, "storage " + key + ": location " + describe(t[3])
                    + " is not a short string such as 'cpu' or 'cuda:0'");
        }
        long numel = nonNegativeLong(t[4], "storage " + key + " element count");
        if (legacy && t[5] != null) {
            // PyTorch 1.x always writes None here; views of storages date from PyTorch 0.3
            throw new TensorRecordException(file, entry, "storage " + key + " is a view of another storage "
                    + "(view_metadata " + typeName(t[5]) + "); storage views are not supported");
        }
        StorageType type = g.storage();
        StorageRef known = storages.get(key);
        if (known != null) {
            if (known.type() != type || known.numel() != numel) {
                throw new TensorRecordException(file, legacy ? entry : records.recordName(key), "storage key used twice with "
                        + "different types or sizes: " + known.type().qualifiedName() + " x " + known.numel()
                        + " and " + type.qualifiedName() + " x " + numel);
            }
            return known;
        }
        if (legacy) {
            StorageRef ref = new StorageRef(key, type, numel, null);
            storages.put(key, ref);
            return ref;
        }
        MemorySegment data = records.find(key);
        if (data == null) {
            throw new TensorRecordException(file, records.recordName(key), "storage record is missing (the "
                    + "pickle refers to storage key '" + key + "' of " + type.qualifiedName() + ")");
        }
        long expected;
        try {
            expected = Math.multiplyExact(numel, (long) type.elementSize);
        } catch (ArithmeticException e) {
            expected = -1;
        }
        if (expected != data.byteSize()) {
            throw new TensorRecordException(file, records.recordName(key), "storage record holds "
                    + data.byteSize() + " bytes but the pickle declares " + numel + " elements of "
                    + type.qualifiedName() + " (" + (expected < 0 ? "overflow" : expected + " bytes") + ")");
        }
        StorageRef ref = new StorageRef(key, type, numel, data);
        storages.put(key, ref);
        return ref;
    }

    private TensorRef rebuildTensor(Global g, Object[] args) {
        if (!(args[0] instanceof StorageRef storage)) {
            throw new TensorRecordException(file, entry, g.name() + " at byte " + opStart + ": argument 0 is "
                    + typeName(args[0]) + ", expected a storage (persistent id)");
        }
        String what = "tensor on storage " + storage.key();
        long offset = nonNegativeLong(args[1], what + " storage offset");
        Object[] size = sequence(args[2], what + " size");
        Object[] stride = sequence(args[3], what + " stride");
        if (size.length > limits.maxTensorRank()) {
            throw new CheckpointLimitException(file, entry, "maxTensorRank", what + " has " + size.length
                    + " dimensions; at most " + limits.maxTensorRank() + " are accepted");
        }
        if (stride.length != size.length) {
            throw new TensorRecordException(file, entry, what + ": size has " + size.length
                    + " dimensions but stride has " + stride.length);
        }
        int[] dims = new int[size.length];
        long[] strides = new long[size.length];
        long count = 1;
        for (int k = 0; k < size.length; k++) {
            long d = nonNegativeLong(size[k], what + " dimension " + k);
            if (d > Integer.MAX_VALUE) {
                throw new TensorRecordException(file, entry, what + ": dimension " + k + " = " + d
                        + " exceeds 2^31-1");
            }
            dims[k] = (int) d;
            strides[k] = nonNegativeLong(stride[k], what + " stride " + k);
            try {
                count = Math.multiplyExact(count, d);
            } catch (ArithmeticException e) {
                throw new TensorRecordException(file, entry, what + ": shape " + Arrays.toString(dims)
                        + " has more elements than fit in 64 bits");
            }
        }
        if (count == 0) {
            if (offset > storage.numel()) {
                throw new TensorRecordException(file, entry, what + ": storage offset " + offset
                        + " is past the end of the storage of " + storage.numel() + " elements");
            }
        } else {
            long last = offset;
            try {
                for (int k = 0; k < dims.length; k++) {
                    last = Math.addExact(last, Math.multiplyExact(dims[k] - 1L, strides[k]));
                }
            } catch (ArithmeticException e) {
                last = Long.MAX_VALUE;
            }
            if (last >= storage.numel()) {
                throw new TensorRecordException(file, entry, what + ": view (offset " + offset + ", shape "
                        + Arrays.toString(dims) + ", stride " + Arrays.toString(strides) + ") reaches element "
                        + (last == Long.MAX_VALUE ? "beyond 2^63" : String.valueOf(last)) + " but the storage has "
                        + storage.numel() + " elements");
            }
        }
        boolean contiguous = true;
        long expect = 1;
        for (int k = dims.length - 1; k >= 0; k--) {
            if (dims[k] != 1 && strides[k] != expect) {
                contiguous = false;
            }
            expect *= Math.max(1, dims[k]);
        }
        if (!contiguous && count > storage.numel()) {
            throw new TensorRecordException(file, entry, what + ": non-contiguous view of " + count
                    + " elements is larger than its storage of " + storage.numel()
                    + " elements; refusing to materialise it");
        }
        return new TensorRef(storage, offset, dims, strides, count, contiguous);
    }

    // ---------------------------------------------------------------- containers

    private Map<Object, Object> dictOnTop(String how) {
        Object top = peek();
        if (top instanceof LinkedHashMap<?, ?>) {
            @SuppressWarnings("unchecked")
            Map<Object, Object> d = (Map<Object, Object>) top;
            return d;
        }
        throw malformed(how + " on " + typeName(top) + ", expected a dict", null);
    }

    private List<Object> listOnTop(String how) {
        Object top = peek();
        if (top instanceof ArrayList<?>) {
            @SuppressWarnings("unchecked")
            List<Object> l = (List<Object>) top;
            return l;
        }
        throw malformed(how + " on " + typeName(top) + ", expected a list", null);
    }

    private static final Object NULL_KEY = new Object();

    private static Object wrapNull(Object o) {
        return o == null ? NULL_KEY : o;
    }

    private void putAll(Map<Object, Object> d, List<Object> items) {
        for (int i = 0; i < items.size(); i += 2) {
            Object k = items.get(i) == NULL_KEY ? null : items.get(i);
            Object v = items.get(i + 1) == NULL_KEY ? null : items.get(i + 1);
            checkHashable(k, "dict key");
            d.put(k, v);
        }
    }

    private void addAll(PySet set, Iterable<Object> items) {
        for (Object o : items) {
            checkHashable(o, "set item");
            set.items.add(o);
        }
    }

    /** Only value-hashable scalars and tuples (hashed by identity here, so never recursively) may be keys. */
    private void checkHashable(Object k, String what) {
        if (k == null || k instanceof String || k instanceof Integer || k instanceof Long
                || k instanceof BigInteger || k instanceof Double || k instanceof Boolean || k instanceof byte[]
                || k instanceof Object[]) {
            return;
        }
        throw malformed(what + " of type " + typeName(k) + " is not supported (unhashable or not plain data)", null);
    }

    private Iterable<Object> iterable(Object o, String what) {
        if (o instanceof Object[] a) {
            return Arrays.asList(a);
        }
        if (o instanceof ArrayList<?> l) {
            @SuppressWarnings("unchecked")
            List<Object> list = (List<Object>) l;
            return list;
        }
        if (o instanceof PySet s) {
            return s.items;
        }
        throw malformed(what + " is " + typeName(o) + ", expected a list or tuple", null);
    }

    private Object[] pairOf(Object o) {
        Object[] kv = o instanceof Object[] a ? a : o instanceof ArrayList<?> l ? l.toArray() : null;
        if (kv == null || kv.length != 2) {
            throw malformed("expected a (key, value) pair, found " + typeName(o), null);
        }
        return kv;
    }

    private Object[] tupleArgs(Object args, String how) {
        if (args instanceof Object[] a) {
            return a;
        }
        throw malformed(how + " arguments are " + typeName(args) + ", expected a tuple", null);
    }

    private Object[] sequence(Object o, String what) {
        if (o instanceof Object[] a) {
            return a;
        }
        if (o instanceof ArrayList<?> l) {
            return l.toArray();
        }
        throw new TensorRecordException(file, entry, what + " is " + typeName(o) + ", expected a tuple of integers");
    }

    private void requireArgs(Global g, Object[] args, int min, int max) {
        if (args.length < min || args.length > max) {
            throw malformed(g.name() + " called with " + args.length + " arguments, expected "
                    + (min == max ? String.valueOf(min) : min + " to " + max), null);
        }
    }

    private long nonNegativeLong(Object o, String what) {
        long v;
        if (o instanceof Integer i) {
            v = i;
        } else if (o instanceof Long l) {
            v = l;
        } else if (o instanceof BigInteger) {
            throw new TensorRecordException(file, entry, what + " " + o + " is out of range");
        } else {
            throw new TensorRecordException(file, entry, what + " is " + typeName(o) + ", expected an integer");
        }
        if (v < 0) {
            throw new TensorRecordException(file, entry, what + " is negative (" + v + ")");
        }
        return v;
    }

    // ---------------------------------------------------------------- memo, stack, input

    private void memoPut(long index) {
        if (index < 0 || index >= limits.maxMemoEntries()) {
            throw new CheckpointLimitException(file, entry, "maxMemoEntries", "memo index " + index + " at byte "
                    + opStart + " is outside 0.." + (limits.maxMemoEntries() - 1));
        }
        Object top = peek();
        if (st.isMarker(top)) {
            throw malformed("memoizing a MARK", null);
        }
        memo.put((int) index, top);
    }

    private Object memoGet(long index) {
        Object v = index >= 0 && index < Integer.MAX_VALUE ? memo.get((int) index) : null;
        if (v == null && (index < 0 || index >= Integer.MAX_VALUE || !memo.containsKey((int) index))) {
            throw malformed("memo index " + index + " was never stored", null);
        }
        return v;
    }

    private int parseIndex(String line) {
        try {
            long v = Long.parseLong(line.strip());
            return (int) Math.max(-1, Math.min(Integer.MAX_VALUE, v));
        } catch (NumberFormatException e) {
            throw malformed("memo index '" + line + "' is not a decimal integer", null);
        }
    }

    private Object pop() {
        if (st.size() == 0) {
            throw malformed("stack underflow", null);
        }
        Object o = st.pop();
        if (st.isMarker(o)) {
            throw malformed("unexpected MARK where a value was expected", null);
        }
        return o;
    }

    private Object peek() {
        if (st.size() == 0) {
            throw malformed("stack underflow", null);
        }
        Object o = st.peek();
        if (st.isMarker(o)) {
            throw malformed("unexpected MARK where a value was expected", null);
        }
        return o;
    }

    private List<Object> popMark() {
        if (!st.hasMark()) {
            throw malformed("no MARK on the stack", null);
        }
        return st.pop_all_since_marker();
    }

    private long readUnsigned(int bytes, String what) {
        if (in.remaining() < bytes) {
            throw truncated(what + " is truncated (needs " + bytes + " bytes, " + in.remaining() + " left)");
        }
        long v = 0;
        for (int i = 0; i < bytes; i++) {
            v |= ((long) in.read()) << (8 * i);
        }
        if (v < 0) {
            throw malformed(what + " " + Long.toUnsignedString(v) + " is out of range", null);
        }
        return v;
    }

    private byte[] readCounted(long n) {
        if (n > in.remaining()) {
            throw truncated(opcodeName(op) + " declares " + n + " bytes but only " + in.remaining()
                    + " remain in the pickle");
        }
        byte[] b = new byte[(int) n];
        in.read(b, 0, b.length);
        return b;
    }

    private final java.nio.charset.CharsetDecoder decoder = StandardCharsets.UTF_8.newDecoder()
            .onMalformedInput(CodingErrorAction.REPORT).onUnmappableCharacter(CodingErrorAction.REPORT);

    /** Strict UTF-8 (Python rejects malformed input too); ASCII, the common case, takes no decoder. */
    private String utf8(byte[] b) {
        boolean ascii = true;
        for (byte x : b) {
            if (x < 0) {
                ascii = false;
                break;
            }
        }
        if (ascii) {
            return new String(b, StandardCharsets.US_ASCII);
        }
        try {
            return decoder.reset().decode(ByteBuffer.wrap(b)).toString();
        } catch (CharacterCodingException e) {
            throw malformed(opcodeName(op) + " string is not valid UTF-8", null);
        }
    }

    /** Fails unless a newline follows within the line limit (protects Pyrolite's unbounded readline). */
    private void requireLine() {
        for (int i = 0; i <= limits.maxLineBytes(); i++) {
            int c = in.peek(i);
            if (c == '\n') {
                return;
            }
            if (c < 0) {
                throw truncated(opcodeName(op) + " argument is not terminated by a newline (truncated)");
            }
        }
        throw new CheckpointLimitException(file, entry, "maxLineBytes", opcodeName(op) + " argument at byte "
                + opStart + " is longer than " + limits.maxLineBytes() + " bytes");
    }

    private String readLine(String what) {
        requireLine();
        StringBuilder sb = new StringBuilder();
        int c;
        while ((c = in.read()) != '\n') {
            sb.append((char) c);
        }
        byte[] raw = sb.toString().getBytes(StandardCharsets.ISO_8859_1);
        String s = utf8(raw);
        if (s.isEmpty()) {
            throw malformed(what + " is empty", null);
        }
        return s;
    }

    // ---------------------------------------------------------------- messages

    /** Running out of bytes: the pickle is truncated, or, in a stream read up to the size limit, over the limit. */
    private CheckpointFormatException truncated(String problem) {
        if (cappedAtLimit) {
            return new CheckpointLimitException(file, entry, "maxPickleBytes", "the pickle is longer than the limit "
                    + "of " + limits.maxPickleBytes() + " bytes (at byte " + opStart + ")");
        }
        return malformed(problem, null);
    }

    private PickleFormatException malformed(String problem, Throwable cause) {
        return new PickleFormatException(file, entry, "malformed pickle at byte " + opStart + " (opcode "
                + opcodeName(op) + "): " + problem, cause);
    }

    static String opcodeName(int code) {
        String n = code >= 0 && code < 256 ? OPCODE_NAMES[code] : null;
        return n != null ? n : String.format("0x%02x", code & 0xFF);
    }

    private String typeName(Object o) {
        if (o == null) {
            return "None";
        }
        if (st != null && st.isMarker(o)) {
            return "a MARK";
        }
        return switch (o) {
            case Global g -> g.toString();
            case String s -> "a str";
            case Integer i -> "an int";
            case Long l -> "an int";
            case BigInteger b -> "an int";
            case Double d -> "a float";
            case Boolean b -> "a bool";
            case byte[] b -> "a bytes object";
            case Object[] a -> "a tuple";
            case ArrayList<?> l -> "a list";
            case OrderedDictRaw d -> "an OrderedDict";
            case Map<?, ?> m -> "a dict";
            case PySet s -> "a " + s.global;
            case TensorRef t -> "a tensor";
            case StorageRef s -> "a storage";
            case InertRaw r -> "an object of " + r.global;
            case NumpyArrayRaw a -> "a numpy array";
            case NumpyDtypeRaw d -> "a numpy.dtype";
            default -> "a " + o.getClass().getSimpleName();
        };
    }

    private static String describe(Object o) {
        return o instanceof String s ? "'" + (s.length() > 80 ? s.substring(0, 80) + "..." : s) + "'"
                : String.valueOf(o instanceof Object[] ? "a tuple" : o);
    }

    private String describeArgs(Object[] args) {
        StringBuilder sb = new StringBuilder("(");
        for (int i = 0; i < args.length; i++) {
            sb.append(i > 0 ? ", " : "").append(typeName(args[i]));
        }
        return sb.append(")").toString();
    }

    /** Pyrolite's stack without quadratic trimming, with a mark test and a count of marks. */
    static final class SafeStack extends UnpickleStack {
        private final ArrayList<Object> items = new ArrayList<>();
        private int marks;

        boolean isMarker(Object o) {
            return o == MARKER;
        }

        boolean hasMark() {
            return marks > 0;
        }

        @Override
        public void add(Object o) {
            items.add(o);
            if (o == MARKER) {
                marks++;
            }
        }

        @Override
        public void add_mark() {
            items.add(MARKER);
            marks++;
        }

        @Override
        public Object pop() {
            if (items.isEmpty()) {
                throw new IllegalStateException("stack underflow");
            }
            Object o = items.removeLast();
            if (o == MARKER) {
                marks--;
            }
            return o;
        }

        @Override
        public List<Object> pop_all_since_marker() {
            int i = items.lastIndexOf(MARKER);
            if (i < 0) {
                throw new IllegalStateException("no MARK on the stack");
            }
            List<Object> top = new ArrayList<>(items.subList(i + 1, items.size()));
            items.subList(i, items.size()).clear();
            marks--;
            return top;
        }

        @Override
        public Object peek() {
            if (items.isEmpty()) {
                throw new IllegalStateException("stack underflow");
            }
            return items.getLast();
        }

        @Override
        public void trim() {
        }

        @Override
        public int size() {
            return items.size();
        }

        @Override
        public void clear() {
            items.clear();
            marks = 0;
        }
    }
}
