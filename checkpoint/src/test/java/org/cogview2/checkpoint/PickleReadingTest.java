package org.cogview2.checkpoint;

import net.razorvine.pickle.Unpickler;
import org.cogview2.spi.DType;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.math.BigInteger;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** What the weights-only unpickler makes of the pickle constructs real checkpoints use. */
class PickleReadingTest {

    private static Object root(byte[] pickle, Map<String, byte[]> storages) {
        try (TorchCheckpoint c = Ckpt.parse(Ckpt.zip(pickle, storages))) {
            return c.root();
        }
    }

    private static Object root(PickleEmitter p) {
        return root(p.toByteArray(), Map.of());
    }

    @Test
    void orderedDictKeepsInsertionOrderAndIgnoresItsMetadataState() {
        PickleEmitter p = new PickleEmitter().proto(2).global("collections", "OrderedDict").emptyTuple().reduce()
                .mark();
        for (String k : List.of("z", "a", "m", "b")) {
            p.string(k).integer(k.charAt(0));
        }
        p.setitems();
        // state dicts carry {'_metadata': OrderedDict(...)} as BUILD state after the items
        p.emptyDict().string("_metadata").global("collections", "OrderedDict").emptyTuple().reduce().setitem().build();
        Map<?, ?> m = assertInstanceOf(Map.class, root(p.stop()));
        assertEquals(List.of("z", "a", "m", "b"), List.copyOf(m.keySet()));
        assertEquals((long) 'm', m.get("m"));
    }

    @Test
    void plainDictsKeepOrderToo() {
        PickleEmitter p = new PickleEmitter().proto(2).emptyDict().mark();
        for (int i = 20; i > 0; i--) {
            p.string("k" + i).integer(i);
        }
        Map<?, ?> m = (Map<?, ?>) root(p.setitems().stop());
        assertEquals("k20", m.keySet().iterator().next());
        assertEquals(20, m.size());
    }

    @Test
    void setsBecomeInertObjectsListingTheirItems() {
        Object set = root(new PickleEmitter().proto(2).rawGlobal("__builtin__", "set").emptyList().mark()
                .string("a").string("b").appends().tuple(1).reduce().stop());
        InertObject o = assertInstanceOf(InertObject.class, set);
        assertEquals("builtins.set", o.global());
        assertEquals(List.of(List.of("a", "b")), o.args());
        // protocol 4 opcodes for sets
        Object frozen = root(new PickleEmitter().proto(4).mark().string("x").raw(0x91).stop());
        assertEquals("builtins.frozenset", ((InertObject) frozen).global());
        Object set4 = root(new PickleEmitter().proto(4).raw(0x8f).mark().integer(1).integer(2).raw(0x90).stop());
        assertEquals(List.of(List.of(1L, 2L)), ((InertObject) set4).args());
    }

    @Test
    void protocol2BytesComeThroughCodecsEncode() {
        byte[] data = {0, 1, (byte) 0x80, (byte) 0xFF};
        assertArrayEquals(data, (byte[]) root(new PickleEmitter().proto(2).pyBytes(data).stop()));
        Object utf8 = root(new PickleEmitter().proto(2).global("_codecs", "encode").string("é").string("utf-8")
                .tuple(2).reduce().stop());
        assertArrayEquals("é".getBytes(StandardCharsets.UTF_8), (byte[]) utf8);
    }

    @Test
    void protocol4FramingShortStringsMemoizeAndStackGlobalWork() {
        PickleEmitter p = new PickleEmitter().proto(4).raw(0x95).le(0, 8) // FRAME
                .raw(0x8c, 11).bytes("collections".getBytes(StandardCharsets.US_ASCII)).raw(0x94)
                .raw(0x8c, 11).bytes("OrderedDict".getBytes(StandardCharsets.US_ASCII)).raw(0x94)
                .raw(0x93).raw(0x94).emptyTuple().reduce().raw(0x94)
                .raw(0x8c, 1, 'k').raw(0x94).raw('C', 2, 7, 8).setitem().stop();
        Map<?, ?> m = (Map<?, ?>) root(p);
        assertArrayEquals(new byte[]{7, 8}, (byte[]) m.get("k"));
    }

    @Test
    void integersAreLongsAndBigOnesBigIntegers() {
        List<?> l = (List<?>) root(new PickleEmitter().proto(2).emptyList().mark().integer(7).integer(-70000)
                .integer(1L << 40).raw(0x8a, 9).le(0, 8).raw(1).appends().stop());
        assertEquals(List.of(7L, -70000L, 1L << 40, BigInteger.ONE.shiftLeft(64)), l);
    }

    @Test
    void textProtocolZeroValuesParse() {
        byte[] pkl = "(lp0\nI42\naF2.5\naS'str'\naL123456789012345678901L\na.".getBytes(StandardCharsets.US_ASCII);
        List<?> l = (List<?>) root(pkl, Map.of());
        assertEquals(List.of(42L, 2.5, "str", new BigInteger("123456789012345678901")), l);
    }

    @Test
    void viewsOfASharedStorageAreZeroCopySlicesAtTheirOffsets() {
        PickleEmitter p = new PickleEmitter().proto(2).emptyDict().string("module").emptyDict().string("first");
        Ckpt.tensor(p, "FloatStorage", "0", 6, 0, new long[]{2}, new long[]{1});
        p.setitem().string("rest");
        Ckpt.tensor(p, "FloatStorage", "0", 6, 2, new long[]{2, 2}, new long[]{2, 1});
        p.setitem().setitem().stop();
        try (TorchCheckpoint c = Ckpt.parse(Ckpt.zip(p.toByteArray(), Ckpt.storages("0", Ckpt.floats(1, 2, 3, 4, 5, 6))))) {
            StoredTensor first = c.stateDict().get("first");
            StoredTensor rest = c.stateDict().get("rest");
            assertArrayEquals(new float[]{1, 2}, first.toFloats());
            assertArrayEquals(new float[]{3, 4, 5, 6}, rest.toFloats());
            assertEquals(first.data().address() + 8, rest.data().address(), "same storage, 2 elements further");
        }
    }

    @Test
    void nonContiguousViewsAreCopiedOnceInRowMajorOrder() {
        // a transposed 2x3 view of a 3x2 storage [[1,2],[3,4],[5,6]] -> [[1,3,5],[2,4,6]]
        PickleEmitter p = new PickleEmitter().proto(2).emptyDict().string("t");
        Ckpt.tensor(p, "FloatStorage", "0", 6, 0, new long[]{2, 3}, new long[]{1, 2});
        p.setitem().string("strided");
        Ckpt.tensor(p, "FloatStorage", "0", 6, 1, new long[]{3}, new long[]{2}); // 2, 4, 6
        p.setitem().stop();
        try (TorchCheckpoint c = Ckpt.parse(Ckpt.zip(p.toByteArray(), Ckpt.storages("0", Ckpt.floats(1, 2, 3, 4, 5, 6))))) {
            assertArrayEquals(new float[]{1, 3, 5, 2, 4, 6}, c.stateDict().get("t").toFloats());
            assertArrayEquals(new float[]{2, 4, 6}, c.stateDict().get("strided").toFloats());
            assertTrue(c.stateDict().get("t").data().isReadOnly());
        }
    }

    @Test
    void bigEndianFilesAreByteSwappedIntoLittleEndianCopies() {
        ByteBuffer be = ByteBuffer.allocate(12).order(ByteOrder.BIG_ENDIAN);
        be.putFloat(1.5f).putFloat(-2f).putShort(Float.floatToFloat16(3f)).putShort(Float.floatToFloat16(0.25f));
        PickleEmitter p = new PickleEmitter().proto(2).emptyDict().string("f");
        Ckpt.tensor(p, "FloatStorage", "0", 2, 0, new long[]{2}, new long[]{1});
        p.setitem().string("h");
        Ckpt.tensor(p, "HalfStorage", "1", 2, 0, new long[]{2}, new long[]{1});
        p.setitem().stop();
        byte[] bytes = java.util.Arrays.copyOfRange(be.array(), 0, 8);
        byte[] halves = java.util.Arrays.copyOfRange(be.array(), 8, 12);
        RawZip z = RawZip.checkpoint("archive", p.toByteArray(), Ckpt.storages("0", bytes, "1", halves));
        z.add("archive/byteorder", "big".getBytes(StandardCharsets.US_ASCII));
        try (TorchCheckpoint c = Ckpt.parse(z.build())) {
            assertEquals(ByteOrder.BIG_ENDIAN, c.byteOrder());
            assertArrayEquals(new float[]{1.5f, -2f}, c.stateDict().get("f").toFloats());
            assertArrayEquals(new float[]{3f, 0.25f}, c.stateDict().get("h").toFloats());
        }
    }

    @Test
    void parametersAndOlderRebuildFunctionsGiveTensors() {
        PickleEmitter p = new PickleEmitter().proto(2).emptyDict().string("param");
        p.global("torch._utils", "_rebuild_parameter");
        p.mark();
        Ckpt.tensor(p, "LongStorage", "0", 2, 0, new long[]{2}, new long[]{1});
        p.bool(true).global("collections", "OrderedDict").emptyTuple().reduce().tupleFromMark().reduce();
        p.setitem().string("old").global("torch._utils", "_rebuild_tensor").mark();
        p.mark().string("storage").global("torch", "IntStorage").string("1").string("cpu").integer(1)
                .tupleFromMark().binpersid().integer(0).integer(1).tuple(1).integer(1).tuple(1).tupleFromMark().reduce();
        p.setitem().stop();
        ByteBuffer longs = ByteBuffer.allocate(16).order(ByteOrder.LITTLE_ENDIAN).putLong(-5).putLong(9);
        ByteBuffer ints = ByteBuffer.allocate(4).order(ByteOrder.LITTLE_ENDIAN).putInt(77);
        try (TorchCheckpoint c = Ckpt.parse(Ckpt.zip(p.toByteArray(),
                Ckpt.storages("0", longs.array(), "1", ints.array())))) {
            assertEquals(DType.I64, c.stateDict().get("param").dtype());
            assertArrayEquals(new long[]{-5, 9}, c.stateDict().get("param").toLongs());
            assertEquals(DType.I32, c.stateDict().get("old").dtype());
            assertArrayEquals(new long[]{77}, c.stateDict().get("old").toLongs());
            assertThrows(IllegalStateException.class, () -> c.stateDict().get("old").toFloats());
        }
    }

    @Test
    void tensorsOfUnsupportedDtypesStayOpaqueOutsideTheStateDict() {
        PickleEmitter p = new PickleEmitter().proto(2).emptyDict().string("module").emptyDict().setitem()
                .string("torch_rng_state");
        Ckpt.tensor(p, "ByteStorage", "0", 4, 0, new long[]{4}, new long[]{1});
        p.setitem().stop();
        try (TorchCheckpoint c = Ckpt.parse(Ckpt.zip(p.toByteArray(), Ckpt.storages("0", new byte[]{1, 2, 3, 4})))) {
            OpaqueTensor o = assertInstanceOf(OpaqueTensor.class, ((Map<?, ?>) c.root()).get("torch_rng_state"));
            assertEquals("torch.ByteStorage", o.storageType());
            assertArrayEquals(new int[]{4}, o.shape());
            assertEquals(Map.of(), c.stateDict());
        }
    }

    @Test
    void inertGlobalsAreRefusedByDefaultAndKeptAsPlaceholdersWhenAllowed() {
        byte[] pkl = new PickleEmitter().proto(2).emptyDict().string("loss_scaler")
                .rawGlobal("deepspeed.runtime.fp16.loss_scaler", "DynamicLossScaler").emptyTuple().newobj().emptyDict()
                .string("cur_scale").binfloat(65536.0).setitem().build().setitem().stop().toByteArray();
        byte[] zip = Ckpt.zip(pkl);
        ForbiddenGlobalException e = assertThrows(ForbiddenGlobalException.class, () -> Ckpt.parse(zip));
        assertEquals("deepspeed.runtime.fp16.loss_scaler.DynamicLossScaler", e.global());
        PickleAllowList allow = PickleAllowList.weightsOnly()
                .withInertGlobal("deepspeed.runtime.fp16.loss_scaler", "DynamicLossScaler");
        try (TorchCheckpoint c = Ckpt.parse(zip, allow, Limits.DEFAULT)) {
            InertObject scaler = assertInstanceOf(InertObject.class, ((Map<?, ?>) c.root()).get("loss_scaler"));
            assertEquals("deepspeed.runtime.fp16.loss_scaler.DynamicLossScaler", scaler.global());
            assertEquals(List.of(), scaler.args());
            assertEquals(Map.of("cur_scale", 65536.0), scaler.state());
        }
        assertTrue(allow.globals().contains("deepspeed.runtime.fp16.loss_scaler.DynamicLossScaler"));
        assertTrue(!PickleAllowList.weightsOnly().globals().contains("deepspeed.runtime.fp16.loss_scaler.DynamicLossScaler"),
                "the default is unchanged");
        assertThrows(IllegalArgumentException.class, () -> allow.withInertGlobal("os", "system; rm"));
        assertThrows(IllegalArgumentException.class,
                () -> PickleAllowList.weightsOnly().withInertGlobal("collections", "OrderedDict"));
        assertThrows(IllegalArgumentException.class,
                () -> PickleAllowList.weightsOnly().withInertGlobal("argparse", "Namespace"));
    }

    /** SAT's {@code args}: copyreg.__newobj__ of argparse.Namespace, its attributes as BUILD state. */
    @Test
    void namespacesAndTorchSizesAreReadAsInertObjectsByDefault() {
        Map<?, ?> m = (Map<?, ?>) root(new PickleEmitter().proto(2).emptyDict()
                .string("args").rawGlobal("argparse", "Namespace").emptyTuple().newobj().emptyDict()
                .string("lr").binfloat(0.1).setitem().build().setitem()
                .string("shape").rawGlobal("torch", "Size").integer(3).integer(4).tuple(2).tuple(1).reduce().setitem()
                .stop());
        InertObject ns = assertInstanceOf(InertObject.class, m.get("args"));
        assertEquals("argparse.Namespace", ns.global());
        assertEquals(Map.of("lr", 0.1), ns.state());
        InertObject size = assertInstanceOf(InertObject.class, m.get("shape"));
        assertEquals(List.of(List.of(3L, 4L)), size.args());
        assertNull(size.state());
    }

    /** numpy 1.x and 2.x module names, bool and float64 arrays, big-endian data. */
    @Test
    void numpyArraysAreReadAsDataInBothNumpySpellings() {
        for (String module : List.of("numpy.core.multiarray", "numpy._core.multiarray")) {
            PickleEmitter p = new PickleEmitter().proto(2).mark();
            numpyArray(p, module, "f8", "<", new int[]{2}, ByteBuffer.allocate(16).order(ByteOrder.LITTLE_ENDIAN)
                    .putDouble(1.5).putDouble(-2).array());
            numpyArray(p, module, "b1", "|", new int[]{3}, new byte[]{1, 0, 1});
            numpyArray(p, module, "i4", ">", new int[]{1, 1}, new byte[]{0, 0, 1, 2});
            List<?> arrays = (List<?>) root(p.tupleFromMark().stop());
            NumpyArray f = assertInstanceOf(NumpyArray.class, arrays.get(0));
            assertEquals("<f8", f.dtype());
            assertEquals(1.5, ByteBuffer.wrap(f.data()).order(ByteOrder.LITTLE_ENDIAN).getDouble(0));
            assertThrows(IllegalStateException.class, f::toLongs);
            NumpyArray b = (NumpyArray) arrays.get(1);
            assertEquals("|b1", b.dtype());
            assertArrayEquals(new long[]{1, 0, 1}, b.toLongs());
            NumpyArray i = (NumpyArray) arrays.get(2);
            assertEquals(">i4", i.dtype());
            assertArrayEquals(new int[]{1, 1}, i.shape());
            assertArrayEquals(new long[]{258}, i.toLongs());
        }
    }

    /** {@code _reconstruct(ndarray, (0,), b'b')} then BUILD {@code (1, shape, dtype, False, bytes)}, as numpy does. */
    static PickleEmitter numpyArray(PickleEmitter p, String module, String type, String order, int[] shape, byte[] data) {
        p.rawGlobal(module, "_reconstruct").rawGlobal("numpy", "ndarray").integer(0).tuple(1).pyBytes(new byte[]{'b'})
                .tuple(3).reduce();
        p.mark().integer(1).mark();
        for (int d : shape) {
            p.integer(d);
        }
        p.tupleFromMark();
        p.rawGlobal("numpy", "dtype").string(type).bool(false).bool(true).tuple(3).reduce();
        p.mark().integer(3).string(order).none().none().none().integer(-1).integer(-1).integer(0).tupleFromMark().build();
        return p.bool(false).pyBytes(data).tupleFromMark().build();
    }

    @Test
    void theDefaultAllowListIsExactlyTheDocumentedOne() {
        assertEquals(List.of("torch._utils._rebuild_tensor", "torch._utils._rebuild_tensor_v2",
                "torch._utils._rebuild_parameter", "torch._utils._rebuild_parameter_with_state",
                "torch.HalfStorage", "torch.FloatStorage", "torch.BFloat16Storage", "torch.LongStorage",
                "torch.IntStorage", "torch.DoubleStorage", "torch.ShortStorage", "torch.CharStorage",
                "torch.ByteStorage", "torch.BoolStorage", "collections.OrderedDict", "builtins.set",
                "builtins.frozenset", "_codecs.encode", "numpy.core.multiarray._reconstruct",
                "numpy._core.multiarray._reconstruct", "numpy.ndarray", "numpy.dtype", "torch.Size",
                "argparse.Namespace"), List.copyOf(PickleAllowList.weightsOnly().globals()));
    }

    /** Pyrolite's own constructors must never be reachable: every global it knows by default is refused. */
    @Test
    void noPyroliteDefaultConstructorIsReachable() {
        Map<String, ?> pyroliteDefaults = new Unpickler() {
            Map<String, ?> defaults() {
                return objectConstructors;
            }
        }.defaults();
        int checked = 0;
        for (String qualified : pyroliteDefaults.keySet()) {
            int dot = qualified.lastIndexOf('.');
            String module = qualified.substring(0, dot);
            String name = qualified.substring(dot + 1);
            if (PickleAllowList.weightsOnly().resolve(module, name) != null) {
                continue; // builtins.set and _codecs.encode: interpreted by this reader, not by Pyrolite
            }
            byte[] zip = Ckpt.zip(new PickleEmitter().proto(2).rawGlobal(module, name).emptyTuple().reduce().stop()
                    .toByteArray());
            ForbiddenGlobalException e = assertThrows(ForbiddenGlobalException.class, () -> Ckpt.parse(zip), qualified);
            assertEquals(PickleAllowList.canonicalModule(module) + "." + name, e.global());
            checked++;
        }
        assertTrue(checked >= 20, "checked " + checked + " Pyrolite defaults");
        // the set Pyrolite would build through its SetConstructor is built by this reader instead
        Object set = root(new PickleEmitter().proto(2).rawGlobal("builtins", "set").emptyTuple().reduce().stop());
        assertInstanceOf(InertObject.class, set);
    }

    @Test
    @Timeout(20)
    void appendingManyItemsOneByOneIsLinear() {
        // Pyrolite's APPENDS calls trimToSize on every call: 200k single-item APPENDS would be quadratic
        PickleEmitter p = new PickleEmitter().proto(2).emptyList();
        for (int i = 0; i < 200_000; i++) {
            p.mark().none().appends();
        }
        assertEquals(200_000, ((List<?>) root(p.stop())).size());
    }

    @Test
    void sharedSubstructuresAreConvertedOnce() {
        // 60 levels of [x, x]: 2^60 paths, 60 lists
        PickleEmitter p = new PickleEmitter().proto(2).emptyList().put(0);
        for (int i = 1; i <= 60; i++) {
            p.emptyList().mark().get(i - 1).get(i - 1).appends().put(i);
        }
        List<?> top = (List<?>) root(p.stop());
        assertEquals(2, top.size());
        assertTrue(top.get(0) == top.get(1), "shared list converted once");
    }

    /** SAT's client state: random.getstate() is (3, (ints...), None), a tuple holding None. */
    @Test
    void tuplesHoldingNoneLoad() {
        List<?> state = (List<?>) root(new PickleEmitter().proto(2).integer(3).integer(7).integer(8).tuple(2).none()
                .tuple(3).stop());
        assertEquals(java.util.Arrays.asList(3L, List.of(7L, 8L), null), state);
    }

    @Test
    void nullKeysAndNoneValuesAreKept() {
        Map<?, ?> m = (Map<?, ?>) root(new PickleEmitter().proto(2).emptyDict().none().string("v").setitem()
                .string("n").none().setitem().stop());
        assertEquals("v", m.get(null));
        assertTrue(m.containsKey("n"));
        assertNull(m.get("n"));
        assertNotEquals(0, m.size());
    }
}
