package org.cogview2.checkpoint;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;

/** Test helpers: crafted pickles and in-memory checkpoints. */
final class Ckpt {

    static final Path NAME = Path.of("crafted.pt");

    private Ckpt() {
    }

    /** Parses checkpoint bytes held on the heap (the arena for copies is closed with the checkpoint). */
    static TorchCheckpoint parse(byte[] bytes) {
        return parse(bytes, PickleAllowList.weightsOnly(), Limits.DEFAULT);
    }

    static TorchCheckpoint parse(byte[] bytes, PickleAllowList allow, Limits limits) {
        Arena arena = Arena.ofShared();
        try {
            return TorchCheckpoint.parse(NAME, MemorySegment.ofArray(bytes), arena, allow, limits);
        } catch (RuntimeException | Error e) {
            arena.close();
            throw e;
        }
    }

    /** A checkpoint archive around a pickle (no storages). */
    static byte[] zip(byte[] pickle) {
        return RawZip.checkpoint(pickle).build();
    }

    /** A checkpoint archive around a pickle and storages {@code archive/data/<key>}. */
    static byte[] zip(byte[] pickle, Map<String, byte[]> storages) {
        return RawZip.checkpoint("archive", pickle, storages).build();
    }

    /** Emits {@code _rebuild_tensor_v2(('storage', torch.<type>, key, 'cpu', numel), offset, size, stride, False, OrderedDict())}. */
    static PickleEmitter tensor(PickleEmitter p, String storageType, String key, long numel, long offset,
                                long[] size, long[] stride) {
        p.global("torch._utils", "_rebuild_tensor_v2").mark();
        p.mark().string("storage").global("torch", storageType).string(key).string("cpu").integer(numel)
                .tupleFromMark().binpersid();
        p.integer(offset).mark();
        for (long d : size) {
            p.integer(d);
        }
        p.tupleFromMark().mark();
        for (long s : stride) {
            p.integer(s);
        }
        p.tupleFromMark().bool(false).global("collections", "OrderedDict").emptyTuple().reduce();
        return p.tupleFromMark().reduce();
    }

    /** A pickle {'module': {key: tensor}} with one tensor on storage "0". */
    static byte[] oneTensorPickle(String storageType, long numel, long offset, long[] size, long[] stride) {
        PickleEmitter p = new PickleEmitter().proto(2).emptyDict().string("module").emptyDict().string("w");
        tensor(p, storageType, "0", numel, offset, size, stride);
        return p.setitem().setitem().stop().toByteArray();
    }

    /** Little-endian fp32 bytes. */
    static byte[] floats(float... v) {
        ByteBuffer b = ByteBuffer.allocate(v.length * 4).order(ByteOrder.LITTLE_ENDIAN);
        for (float f : v) {
            b.putFloat(f);
        }
        return b.array();
    }

    static Map<String, byte[]> storages(Object... keyThenBytes) {
        Map<String, byte[]> m = new LinkedHashMap<>();
        for (int i = 0; i < keyThenBytes.length; i += 2) {
            m.put((String) keyThenBytes[i], (byte[]) keyThenBytes[i + 1]);
        }
        return m;
    }
}
