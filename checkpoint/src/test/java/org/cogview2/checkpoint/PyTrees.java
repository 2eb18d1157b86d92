package org.cogview2.checkpoint;

import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;

/**
 * Random valid Python data trees (what a checkpoint may hold beside its tensors), their pickle as Python's pickler
 * writes it, and the value {@link TorchCheckpoint#root()} must return for it.
 */
final class PyTrees {

    private PyTrees() {
    }

    /** A Python value. */
    sealed interface Node permits None, Int, Float, Str, Bool, Bytes, PyList, Tuple, Dict, PySet, TensorView {
    }

    record None() implements Node {
    }

    record Int(long v) implements Node {
    }

    record Float(double v) implements Node {
    }

    record Str(String v) implements Node {
    }

    record Bool(boolean v) implements Node {
    }

    record Bytes(byte[] v) implements Node {
    }

    record PyList(List<Node> items) implements Node {
    }

    record Tuple(List<Node> items) implements Node {
    }

    /** A dict ({@code ordered}: an OrderedDict) with distinct keys. */
    record Dict(List<Node> keys, List<Node> values, boolean ordered) implements Node {
    }

    record PySet(List<Node> items) implements Node {
    }

    /** A float32 view of storage "0" (8 elements 0..7): 1-D, {@code length} elements from {@code offset}. */
    record TensorView(int offset, int length) implements Node {
    }

    static final float[] STORAGE = {0, 1, 2, 3, 4, 5, 6, 7};

    // ------------------------------------------------------------------ generation

    static Arbitrary<Node> node(int depth) {
        Arbitrary<Node> leaf = Arbitraries.oneOf(
                Arbitraries.just(new None()),
                Arbitraries.oneOf(Arbitraries.longs(), Arbitraries.longs().between(-300, 70000)).map(Int::new),
                Arbitraries.doubles().map(Float::new),
                Arbitraries.strings().withCharRange('\u0000', '\ud7ff').ofMaxLength(20).map(Str::new),
                Arbitraries.of(true, false).map(Bool::new),
                Arbitraries.bytes().array(byte[].class).ofMaxSize(12).map(Bytes::new),
                Combinators.combine(Arbitraries.integers().between(0, 8), Arbitraries.integers().between(0, 8))
                        .filter((o, l) -> o + l <= 8).as(TensorView::new));
        if (depth <= 0) {
            return leaf;
        }
        Arbitrary<Node> child = node(depth - 1);
        Arbitrary<Node> key = Arbitraries.oneOf(
                Arbitraries.strings().withCharRange(' ', '\u30ff').ofMaxLength(10).map(Str::new),
                Arbitraries.longs().between(-5, 1000).map(Int::new),
                Arbitraries.just(new None()));
        Arbitrary<Node> list = child.list().ofMaxSize(5).map(PyList::new);
        Arbitrary<Node> tuple = child.list().ofMaxSize(5).map(Tuple::new);
        Arbitrary<Node> set = key.list().ofMaxSize(4).uniqueElements().map(PySet::new);
        Arbitrary<Node> dict = Combinators.combine(key.list().ofMaxSize(5).uniqueElements(), child.list().ofSize(5),
                Arbitraries.of(true, false)).as((ks, vs, ordered) -> new Dict(ks, vs.subList(0, ks.size()), ordered));
        return Arbitraries.frequencyOf(net.jqwik.api.Tuple.of(3, leaf), net.jqwik.api.Tuple.of(2, list),
                net.jqwik.api.Tuple.of(2, tuple), net.jqwik.api.Tuple.of(1, set), net.jqwik.api.Tuple.of(3, dict));
    }

    // ------------------------------------------------------------------ pickling (protocol 2, like Python)

    static byte[] checkpoint(Node root) {
        PickleEmitter p = new PickleEmitter().proto(2);
        emit(p, root);
        byte[] storage = Ckpt.floats(STORAGE);
        return Ckpt.zip(p.stop().toByteArray(), Ckpt.storages("0", storage));
    }

    private static void emit(PickleEmitter p, Node n) {
        switch (n) {
            case None x -> p.none();
            case Int x -> p.integer(x.v());
            case Float x -> p.binfloat(x.v());
            case Str x -> p.string(x.v()).memoize();
            case Bool x -> p.bool(x.v());
            case Bytes x -> p.pyBytes(x.v()).memoize();
            case PyList x -> {
                p.emptyList().memoize();
                if (!x.items().isEmpty()) {
                    p.mark();
                    x.items().forEach(i -> emit(p, i));
                    p.appends();
                }
            }
            case Tuple x -> {
                if (x.items().size() <= 3) {
                    x.items().forEach(i -> emit(p, i));
                    p.tuple(x.items().size());
                } else {
                    p.mark();
                    x.items().forEach(i -> emit(p, i));
                    p.tupleFromMark();
                }
                p.memoize();
            }
            case Dict x -> {
                if (x.ordered()) {
                    p.global("collections", "OrderedDict").emptyTuple().reduce().memoize();
                } else {
                    p.emptyDict().memoize();
                }
                if (!x.keys().isEmpty()) {
                    p.mark();
                    for (int i = 0; i < x.keys().size(); i++) {
                        emit(p, x.keys().get(i));
                        emit(p, x.values().get(i));
                    }
                    p.setitems();
                }
            }
            case PySet x -> {
                p.rawGlobal("__builtin__", "set").emptyList();
                if (!x.items().isEmpty()) {
                    p.mark();
                    x.items().forEach(i -> emit(p, i));
                    p.appends();
                }
                p.tuple(1).reduce().memoize();
            }
            case TensorView x -> Ckpt.tensor(p, "FloatStorage", "0", STORAGE.length, x.offset(),
                    new long[]{x.length()}, new long[]{1}).memoize();
        }
    }

    // ------------------------------------------------------------------ expected values

    /** Asserts {@code actual} (from {@link TorchCheckpoint#root()}) is the reading of {@code n}. */
    static void assertReads(Node n, Object actual, String at) {
        switch (n) {
            case None x -> check(actual == null, at, "None", actual);
            case Int x -> check(Objects.equals(actual, x.v()), at, x.v(), actual);
            case Float x -> check(actual instanceof Double d && Double.compare(d, x.v()) == 0, at, x.v(), actual);
            case Str x -> check(x.v().equals(actual), at, x.v(), actual);
            case Bool x -> check(Objects.equals(actual, x.v()), at, x.v(), actual);
            case Bytes x -> check(actual instanceof byte[] b && Arrays.equals(b, x.v()), at, "bytes", actual);
            case PyList x -> items(x.items(), actual, at);
            case Tuple x -> items(x.items(), actual, at);
            case Dict x -> {
                check(actual instanceof Map<?, ?>, at, "a dict", actual);
                Map<?, ?> m = (Map<?, ?>) actual;
                check(m.size() == x.keys().size(), at, x.keys().size() + " entries", m.size());
                List<?> keys = new ArrayList<>(m.keySet());
                for (int i = 0; i < x.keys().size(); i++) {
                    assertReads(x.keys().get(i), keys.get(i), at + "/key" + i);
                    assertReads(x.values().get(i), m.get(keys.get(i)), at + "/" + keys.get(i));
                }
            }
            case PySet x -> {
                check(actual instanceof InertObject o && o.global().equals("builtins.set"), at, "a set", actual);
                List<?> got = (List<?>) ((InertObject) actual).args().getFirst();
                Set<Object> want = new HashSet<>();
                for (Node i : x.items()) {
                    want.add(switch (i) {
                        case Str s -> s.v();
                        case Int v -> v.v();
                        default -> null;
                    });
                }
                check(new HashSet<>(got).equals(want), at, want, got);
            }
            case TensorView x -> {
                check(actual instanceof StoredTensor, at, "a tensor", actual);
                float[] want = Arrays.copyOfRange(STORAGE, x.offset(), x.offset() + x.length());
                check(Arrays.equals(want, ((StoredTensor) actual).toFloats()), at, Arrays.toString(want), actual);
            }
        }
    }

    private static void items(List<Node> items, Object actual, String at) {
        check(actual instanceof List<?> l && l.size() == items.size(), at, items.size() + " items", actual);
        List<?> l = (List<?>) actual;
        for (int i = 0; i < items.size(); i++) {
            assertReads(items.get(i), l.get(i), at + "[" + i + "]");
        }
    }

    private static void check(boolean ok, String at, Object want, Object got) {
        if (!ok) {
            throw new AssertionError("at " + at + ": expected " + want + ", read " + got);
        }
    }
}
