package org.cogview2.checkpoint;

import org.cogview2.checkpoint.PickleAllowList.Global;
import org.cogview2.checkpoint.SafeUnpickler.InertRaw;
import org.cogview2.checkpoint.SafeUnpickler.NumpyArrayRaw;
import org.cogview2.checkpoint.SafeUnpickler.NumpyDtypeRaw;
import org.cogview2.checkpoint.SafeUnpickler.PySet;
import org.cogview2.checkpoint.SafeUnpickler.StorageRef;
import org.cogview2.checkpoint.SafeUnpickler.TensorRef;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.math.BigInteger;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.IdentityHashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Predicate;

/**
 * Turns the unpickler's raw tree into the public one: unmodifiable insertion-ordered maps and lists, {@link Long}
 * integers, {@link StoredTensor}/{@link OpaqueTensor} leaves, {@link NumpyArray}s, {@link InertObject}
 * placeholders. Shared sub-structures are converted once (identity memo), so a pickle that references one list
 * many times costs linear time; reference cycles and nesting deeper than the limit are rejected.
 *
 * <p>When the root is a dict holding {@code 'module'} (SAT, DeepSpeed, icetk), only {@code module} is read as
 * tensors. The training state beside it (optimizer moments, RNG states, ...) is kept as inert data whose tensors
 * are {@link OpaqueTensor}s: never copied, never read, so an optimizer twice the model's size costs nothing.
 *
 * <p>A tensor is a view of the mapping when it is contiguous, little-endian and aligned to its element size;
 * otherwise (a legacy file's storages sit wherever the pickles end) it is copied once, and {@link #copiedBytes()}
 * says how much.
 */
final class TreeBuilder {

    private final Path file;
    private final String entry;
    private final Limits limits;
    private final Arena arena;
    private final boolean bigEndian;
    private final long copyBudget;
    private final Predicate<Object> isMarker;
    private final IdentityHashMap<Object, Object> doneModule = new IdentityHashMap<>();
    private final IdentityHashMap<Object, Object> doneTrainingState = new IdentityHashMap<>();
    private final IdentityHashMap<Object, Boolean> inProgress = new IdentityHashMap<>();
    /** False while converting the training state beside {@code module}: its tensors stay opaque. */
    private boolean materialise = true;
    private long copied;
    private int tensors;

    TreeBuilder(Path file, String entry, Limits limits, Arena arena, boolean bigEndian, long copyBudget,
                Predicate<Object> isMarker) {
        this.file = file;
        this.entry = entry;
        this.limits = limits;
        this.arena = arena;
        this.bigEndian = bigEndian;
        this.copyBudget = copyBudget;
        this.isMarker = isMarker;
    }

    /** A position in the tree, rendered only when needed (keys can be megabytes long). */
    private record Where(Where parent, Object segment) {
        static final Where ROOT = new Where(null, null);

        Where key(Object k) {
            return new Where(this, k);
        }

        Where index(int i) {
            return new Where(this, i);
        }

        /** The last {@code max} segments, each at most 64 characters. */
        String render(int max) {
            java.util.ArrayDeque<String> parts = new java.util.ArrayDeque<>();
            Where p = this;
            int n = 0;
            while (p != null && p.parent != null) {
                if (n++ == max) {
                    parts.addFirst("...");
                    break;
                }
                String seg = p.segment instanceof Integer i ? "[" + i + "]" : "/" + clip(String.valueOf(p.segment));
                parts.addFirst(seg);
                p = p.parent;
            }
            String s = String.join("", parts);
            return s.isEmpty() ? "the root" : s.startsWith("/") ? s.substring(1) : s;
        }

        private static String clip(String s) {
            return s.length() <= 64 ? s : s.substring(0, 61) + "...";
        }
    }

    Object build(Object raw) {
        if (!(raw instanceof LinkedHashMap<?, ?> top) || !top.containsKey("module")) {
            return convert(raw, Where.ROOT, null, 0);
        }
        inProgress.put(raw, Boolean.TRUE);
        Map<Object, Object> out = new LinkedHashMap<>();
        for (Map.Entry<?, ?> e : top.entrySet()) {
            Object k = convert(e.getKey(), Where.ROOT.key("<key>"), null, 1);
            materialise = "module".equals(k);
            out.put(k, convert(e.getValue(), Where.ROOT.key(k), k instanceof String s ? s : null, 1));
        }
        materialise = true;
        return Collections.unmodifiableMap(out);
    }

    /** Bytes copied for tensors that could not be views of the mapping. */
    long copiedBytes() {
        return copied;
    }

    private Object convert(Object raw, Where path, String key, int depth) {
        if (depth > limits.maxNestingDepth()) {
            throw new CheckpointLimitException(file, entry, "maxNestingDepth", "data nested deeper than "
                    + limits.maxNestingDepth() + " levels (at " + shown(path) + ")");
        }
        switch (raw) {
            case null -> {
                return null;
            }
            case String s -> {
                return s;
            }
            case Boolean b -> {
                return b;
            }
            case Integer i -> {
                return (long) i;
            }
            case Long l -> {
                return l;
            }
            case BigInteger b -> {
                return b.bitLength() < 64 ? (Object) b.longValue() : b;
            }
            case Double d -> {
                return d;
            }
            case byte[] b -> {
                return b;
            }
            case TensorRef t -> {
                return tensor(t, key != null ? key : path.render(2));
            }
            case StorageRef s -> {
                if (s.numel() > Integer.MAX_VALUE) {
                    throw new TensorRecordException(file, entry, "bare storage " + s.key() + " of " + s.numel()
                            + " elements used as a value is too large to expose as a 1-D tensor");
                }
                return tensor(new TensorRef(s, 0, new int[]{(int) s.numel()}, new long[]{1}, s.numel(), true),
                        key != null ? key : path.render(2));
            }
            case Global g -> throw new PickleFormatException(file, entry, "the " + g
                    + " is used as a value at " + shown(path) + "; only calls of it are supported");
            default -> {
            }
        }
        if (isMarker.test(raw)) {
            throw new PickleFormatException(file, entry, "malformed pickle: a stray MARK ended up in the data at "
                    + shown(path));
        }
        IdentityHashMap<Object, Object> done = materialise ? doneModule : doneTrainingState;
        Object known = done.get(raw);
        if (known != null) {
            return known;
        }
        if (inProgress.put(raw, Boolean.TRUE) != null) {
            throw new PickleFormatException(file, entry, "the pickle contains a reference cycle (at "
                    + shown(path) + "); checkpoints hold trees of data");
        }
        Object result = switch (raw) {
            case Object[] tuple -> list(java.util.Arrays.asList(tuple), path, depth);
            case ArrayList<?> list -> list(list, path, depth);
            case LinkedHashMap<?, ?> map -> {
                Map<Object, Object> out = new LinkedHashMap<>();
                for (Map.Entry<?, ?> e : map.entrySet()) {
                    Object k = convert(e.getKey(), path.key("<key>"), null, depth + 1);
                    out.put(k, convert(e.getValue(), path.key(k), k instanceof String s ? s : null, depth + 1));
                }
                yield Collections.unmodifiableMap(out);
            }
            case PySet set -> new InertObject(set.global, List.of(list(new ArrayList<>(set.items), path, depth)), null);
            case InertRaw r -> new InertObject(r.global, list(java.util.Arrays.asList(r.args), path, depth),
                    convert(r.state, path.key("<state>"), null, depth + 1));
            case NumpyArrayRaw a when a.value != null -> a.value;
            case NumpyArrayRaw a -> throw new PickleFormatException(file, entry, "a numpy array without its state "
                    + "(no BUILD after _reconstruct) at " + shown(path));
            case NumpyDtypeRaw d -> new InertObject("numpy.dtype",
                    List.of((d.byteOrder == null ? "" : d.byteOrder) + d.typeCode), null);
            default -> throw new PickleFormatException(file, entry, "unexpected value of Java type "
                    + raw.getClass().getName() + " at " + shown(path));
        };
        inProgress.remove(raw);
        done.put(raw, result);
        return result;
    }

    private List<Object> list(List<?> items, Where path, int depth) {
        List<Object> out = new ArrayList<>(items.size());
        for (int i = 0; i < items.size(); i++) {
            out.add(convert(items.get(i), path.index(i), null, depth + 1));
        }
        return Collections.unmodifiableList(out);
    }

    private static String shown(Where path) {
        return path.render(8);
    }

    private Object tensor(TensorRef t, String key) {
        if (++tensors > limits.maxTensors()) {
            throw new CheckpointLimitException(file, entry, "maxTensors", "the tree holds more than "
                    + limits.maxTensors() + " tensors (counting repeated references)");
        }
        StorageRef s = t.storage();
        if (s.type().dtype == null || !materialise) {
            return new OpaqueTensor(key, s.type().qualifiedName(), t.size());
        }
        int es = s.type().elementSize;
        long bytes = t.count() * es;
        MemorySegment data;
        // a heap segment's address is its offset in the array: the file offset, as for a mapping
        boolean aligned = (s.data().address() + t.offset() * es) % es == 0;
        if (t.contiguous() && !bigEndian && aligned) {
            data = s.data().asSlice(t.offset() * es, bytes).asReadOnly();
        } else {
            copied += bytes;
            if (copied > copyBudget) {
                throw new CheckpointLimitException(file, entry, "maxCopiedBytes", "tensor " + key + ": non-contiguous, "
                        + "misaligned or byte-swapped tensors would copy " + copied + " bytes, more than the "
                        + copyBudget + " allowed for this file");
            }
            data = arena.allocate(Math.max(1, bytes), 64).asSlice(0, bytes);
            gather(s.data(), t, es, data);
            if (bigEndian && es > 1) {
                swapInPlace(data, es);
            }
            data = data.asReadOnly();
        }
        return new StoredTensor(key, s.type().dtype, t.size(), data);
    }

    /** Copies the view's elements in row-major order into {@code out}. */
    private static void gather(MemorySegment src, TensorRef t, int es, MemorySegment out) {
        int rank = t.size().length;
        if (t.count() == 0) {
            return;
        }
        if (t.contiguous()) {
            MemorySegment.copy(src, t.offset() * es, out, 0, t.count() * es);
            return;
        }
        int[] dims = t.size();
        long[] strides = t.stride();
        int[] idx = new int[rank];
        long written = 0;
        int inner = rank == 0 ? 1 : dims[rank - 1];
        long innerStride = rank == 0 ? 1 : strides[rank - 1];
        while (true) {
            long base = t.offset();
            for (int k = 0; k < rank - 1; k++) {
                base += idx[k] * strides[k];
            }
            if (innerStride == 1) {
                MemorySegment.copy(src, base * es, out, written, (long) inner * es);
                written += (long) inner * es;
            } else {
                for (int j = 0; j < inner; j++) {
                    MemorySegment.copy(src, (base + j * innerStride) * es, out, written, es);
                    written += es;
                }
            }
            int k = rank - 2;
            while (k >= 0 && ++idx[k] == dims[k]) {
                idx[k] = 0;
                k--;
            }
            if (k < 0) {
                return;
            }
        }
    }

    private static void swapInPlace(MemorySegment data, int es) {
        long n = data.byteSize() / es;
        switch (es) {
            case 2 -> {
                for (long i = 0; i < n; i++) {
                    data.setAtIndex(ValueLayout.JAVA_SHORT_UNALIGNED, i,
                            Short.reverseBytes(data.getAtIndex(ValueLayout.JAVA_SHORT_UNALIGNED, i)));
                }
            }
            case 4 -> {
                for (long i = 0; i < n; i++) {
                    data.setAtIndex(ValueLayout.JAVA_INT_UNALIGNED, i,
                            Integer.reverseBytes(data.getAtIndex(ValueLayout.JAVA_INT_UNALIGNED, i)));
                }
            }
            case 8 -> {
                for (long i = 0; i < n; i++) {
                    data.setAtIndex(ValueLayout.JAVA_LONG_UNALIGNED, i,
                            Long.reverseBytes(data.getAtIndex(ValueLayout.JAVA_LONG_UNALIGNED, i)));
                }
            }
            default -> throw new IllegalStateException("element size " + es);
        }
    }
}
