package org.cogview2.checkpoint;

import org.cogview2.checkpoint.PickleAllowList.Global;
import org.cogview2.checkpoint.SafeUnpickler.InertRaw;
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
 * integers, {@link StoredTensor}/{@link OpaqueTensor} leaves, {@link InertObject} placeholders. Shared
 * sub-structures are converted once (identity memo), so a pickle that references one list many times costs
 * linear time; reference cycles and nesting deeper than the limit are rejected.
 */
final class TreeBuilder {

    private final Path file;
    private final String entry;
    private final Limits limits;
    private final Arena arena;
    private final boolean bigEndian;
    private final long copyBudget;
    private final Predicate<Object> isMarker;
    private final IdentityHashMap<Object, Object> done = new IdentityHashMap<>();
    private final IdentityHashMap<Object, Boolean> inProgress = new IdentityHashMap<>();
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
        return convert(raw, Where.ROOT, null, 0);
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
        if (s.type().dtype == null) {
            return new OpaqueTensor(key, s.type().qualifiedName(), t.size());
        }
        int es = s.type().elementSize;
        long bytes = t.count() * es;
        MemorySegment data;
        if (t.contiguous() && !bigEndian) {
            data = s.data().asSlice(t.offset() * es, bytes).asReadOnly();
        } else {
            copied += bytes;
            if (copied > copyBudget) {
                throw new CheckpointLimitException(file, entry, "maxCopiedBytes", "tensor " + key + ": non-contiguous "
                        + "or byte-swapped tensors would copy " + copied + " bytes, more than the " + copyBudget
                        + " allowed for this file");
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
