package org.cogview2.checkpoint;

import java.io.ByteArrayOutputStream;
import java.math.BigInteger;
import java.nio.charset.StandardCharsets;
import java.util.HashMap;
import java.util.Map;

/**
 * Emits pickle opcodes (protocol 2, the way Python's pickler writes a {@code torch.save} object). Used by
 * {@link TorchCheckpointWriter}; tests use it to craft malformed and hostile pickles opcode by opcode.
 */
final class PickleEmitter {

    private final ByteArrayOutputStream out = new ByteArrayOutputStream();
    private final Map<String, Integer> globalMemo = new HashMap<>();
    private int memoNext;

    PickleEmitter proto(int version) {
        return raw(0x80, version);
    }

    PickleEmitter stop() {
        return raw('.');
    }

    PickleEmitter mark() {
        return raw('(');
    }

    PickleEmitter emptyDict() {
        return raw('}');
    }

    PickleEmitter emptyList() {
        return raw(']');
    }

    PickleEmitter emptyTuple() {
        return raw(')');
    }

    PickleEmitter none() {
        return raw('N');
    }

    PickleEmitter bool(boolean b) {
        return raw(b ? 0x88 : 0x89);
    }

    /** TUPLE1/2/3 for small arities, otherwise the caller must have pushed a MARK and this writes TUPLE. */
    PickleEmitter tuple(int arity) {
        return switch (arity) {
            case 0 -> raw(')');
            case 1 -> raw(0x85);
            case 2 -> raw(0x86);
            case 3 -> raw(0x87);
            default -> raw('t');
        };
    }

    PickleEmitter tupleFromMark() {
        return raw('t');
    }

    PickleEmitter reduce() {
        return raw('R');
    }

    PickleEmitter build() {
        return raw('b');
    }

    PickleEmitter newobj() {
        return raw(0x81);
    }

    PickleEmitter setitem() {
        return raw('s');
    }

    PickleEmitter setitems() {
        return raw('u');
    }

    PickleEmitter append() {
        return raw('a');
    }

    PickleEmitter appends() {
        return raw('e');
    }

    PickleEmitter binpersid() {
        return raw('Q');
    }

    /** BINPUT (index below 256) or LONG_BINPUT of the next memo index; returns it via {@link #lastMemo()}. */
    PickleEmitter memoize() {
        return put(memoNext++);
    }

    int lastMemo() {
        return memoNext - 1;
    }

    PickleEmitter put(long index) {
        if (index >= 0 && index < 256) {
            return raw('q', (int) index);
        }
        raw('r');
        return le(index, 4);
    }

    PickleEmitter get(long index) {
        if (index >= 0 && index < 256) {
            return raw('h', (int) index);
        }
        raw('j');
        return le(index, 4);
    }

    /** GLOBAL {@code module name}, memoized like Python's pickler (later uses become BINGET). */
    PickleEmitter global(String module, String name) {
        String key = module + "\n" + name;
        Integer memo = globalMemo.get(key);
        if (memo != null) {
            return get(memo);
        }
        raw('c');
        bytes((module + "\n" + name + "\n").getBytes(StandardCharsets.UTF_8));
        memoize();
        globalMemo.put(key, lastMemo());
        return this;
    }

    /** A GLOBAL without memoization (for crafted pickles). */
    PickleEmitter rawGlobal(String module, String name) {
        raw('c');
        return bytes((module + "\n" + name + "\n").getBytes(StandardCharsets.UTF_8));
    }

    PickleEmitter string(String s) {
        byte[] b = s.getBytes(StandardCharsets.UTF_8);
        raw('X');
        le(b.length, 4);
        return bytes(b);
    }

    /** Python 3 bytes the way protocol 2 writes them: {@code _codecs.encode(str, 'latin1')}. */
    PickleEmitter pyBytes(byte[] data) {
        global("_codecs", "encode");
        char[] chars = new char[data.length];
        for (int i = 0; i < data.length; i++) {
            chars[i] = (char) (data[i] & 0xFF);
        }
        string(new String(chars));
        string("latin1");
        tuple(2);
        return reduce();
    }

    /** The shortest of BININT1, BININT2, BININT, LONG1 for {@code v}. */
    PickleEmitter integer(long v) {
        if (v >= 0 && v < 256) {
            return raw('K', (int) v);
        }
        if (v >= 0 && v < 65536) {
            raw('M');
            return le(v, 2);
        }
        if (v >= Integer.MIN_VALUE && v <= Integer.MAX_VALUE) {
            raw('J');
            return le(v, 4);
        }
        byte[] be = BigInteger.valueOf(v).toByteArray();
        raw(0x8a, be.length);
        for (int i = be.length - 1; i >= 0; i--) {
            out.write(be[i]);
        }
        return this;
    }

    PickleEmitter binfloat(double d) {
        raw('G');
        long bits = Double.doubleToRawLongBits(d);
        for (int i = 7; i >= 0; i--) {
            out.write((int) (bits >>> (8 * i)));
        }
        return this;
    }

    /** Any bytes, for crafting. */
    PickleEmitter raw(int... bytes) {
        for (int b : bytes) {
            out.write(b);
        }
        return this;
    }

    PickleEmitter bytes(byte[] b) {
        out.write(b, 0, b.length);
        return this;
    }

    /** {@code n} little-endian bytes of {@code v}. */
    PickleEmitter le(long v, int n) {
        for (int i = 0; i < n; i++) {
            out.write((int) (v >>> (8 * i)));
        }
        return this;
    }

    byte[] toByteArray() {
        return out.toByteArray();
    }
}
