package org.cogview2.checkpoint;

import org.cogview2.checkpoint.TorchCheckpointWriter.Tensor;
import org.cogview2.checkpoint.testing.ReleasedFileVariants;
import org.cogview2.checkpoint.testing.ReleasedFileVariants.Variant;
import org.cogview2.checkpoint.testing.SharedTestData;
import org.cogview2.spi.DType;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.lang.foreign.MemorySegment;
import java.lang.management.ManagementFactory;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.zip.ZipEntry;
import java.util.zip.ZipFile;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The files real training runs leave: SAT/DeepSpeed training state beside {@code module}, and the legacy
 * (pre-1.6) format. Each must open with the same state dict, bit for bit, as the plain file.
 */
class ReleasedVariantsTest {

    @TempDir
    Path dir;

    /** Odd sizes, so that legacy storages land on unaligned offsets. */
    private static Map<String, Object> module() {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("transformer.word_embeddings.weight", Tensor.of(DType.F16, new int[]{7, 3}, ramp(21)));
        m.put("transformer.layers.0.attention.dense.bias", Tensor.of(DType.F32, new int[]{5}, ramp(5)));
        m.put("mixins.extra.weight", Tensor.of(DType.BF16, new int[]{3, 3}, ramp(9)));
        m.put("position", Tensor.ofLongs(new int[]{3}, new long[]{-1, 7, 1L << 40}));
        return m;
    }

    private static float[] ramp(int n) {
        float[] v = new float[n];
        for (int i = 0; i < n; i++) {
            v[i] = (i - n / 2f) / 7f;
        }
        return v;
    }

    private static void assertSameStateDict(TorchCheckpoint want, TorchCheckpoint got) {
        assertEquals(List.copyOf(want.stateDict().keySet()), List.copyOf(got.stateDict().keySet()));
        for (Map.Entry<String, StoredTensor> e : want.stateDict().entrySet()) {
            StoredTensor a = e.getValue();
            StoredTensor b = got.stateDict().get(e.getKey());
            assertEquals(a.dtype(), b.dtype(), e.getKey());
            assertArrayEquals(a.shape(), b.shape(), e.getKey());
            assertEquals(-1, a.data().mismatch(b.data()), e.getKey() + " differs");
        }
    }

    @Test
    void everyVariantOpensWithTheStateDictOfThePlainFileBitForBit() {
        Path plain = dir.resolve("plain.pt");
        ReleasedFileVariants.write(plain, module(), Variant.PLAIN);
        try (TorchCheckpoint p = TorchCheckpoint.open(plain)) {
            assertEquals(TorchCheckpoint.Format.ZIP, p.format());
            for (Variant v : Variant.values()) {
                Path f = dir.resolve(v + ".pt");
                ReleasedFileVariants.write(f, module(), v);
                try (TorchCheckpoint c = TorchCheckpoint.open(f)) {
                    assertEquals(v.legacy ? TorchCheckpoint.Format.LEGACY : TorchCheckpoint.Format.ZIP, c.format(), v.name());
                    assertSameStateDict(p, c);
                    if (!v.legacy) {
                        assertEquals(0, c.copiedBytes(), v + ": zip records are mapped in place");
                    }
                }
            }
        }
    }

    @Test
    void theTrainingStateIsInertDataAndItsTensorsAreNeverMaterialised() throws IOException {
        int big = 4 << 20; // two fp32 moments of 16 MiB each
        Map<String, Object> root = ReleasedFileVariants.satRoot(module(), big);
        for (boolean legacy : new boolean[]{false, true}) {
            Path f = dir.resolve(legacy ? "state-legacy.pt" : "state.pt");
            if (legacy) {
                TorchCheckpointWriter.saveLegacy(f, root);
            } else {
                TorchCheckpointWriter.save(f, root);
            }
            assertTrue(Files.size(f) > 32L << 20);
            com.sun.management.ThreadMXBean mx = (com.sun.management.ThreadMXBean) ManagementFactory.getThreadMXBean();
            long before = mx.getCurrentThreadAllocatedBytes();
            try (TorchCheckpoint c = TorchCheckpoint.open(f)) {
                Map<?, ?> r = (Map<?, ?>) c.root();
                long allocated = mx.getCurrentThreadAllocatedBytes() - before;
                assertTrue(allocated < 4L << 20, "opening allocated " + allocated + " bytes");
                // at most the module is copied (legacy storages off their alignment), never the optimizer
                assertTrue(c.copiedBytes() <= 256, "copied " + c.copiedBytes());
                assertEquals(List.copyOf(root.keySet()), List.copyOf(r.keySet()));
                assertEquals(4, c.stateDict().size());

                Map<?, ?> optimizer = (Map<?, ?>) ((Map<?, ?>) ((Map<?, ?>) r.get("optimizer")).get("optimizer_state_dict"))
                        .get("state");
                OpaqueTensor moment = assertInstanceOf(OpaqueTensor.class, ((Map<?, ?>) optimizer.get(0L)).get("exp_avg"));
                assertEquals("torch.FloatStorage", moment.storageType());
                assertArrayEquals(new int[]{big}, moment.shape());

                List<?> np = (List<?>) r.get("np_rng_state");
                assertEquals("MT19937", np.get(0));
                NumpyArray key = assertInstanceOf(NumpyArray.class, np.get(1));
                assertEquals("<u4", key.dtype());
                assertArrayEquals(new int[]{624}, key.shape());
                long[] mt = key.toLongs();
                assertEquals(1234, mt[0]);
                assertEquals(List.of(624L, 0L, 0.0), np.subList(2, 5));
                List<?> random = (List<?>) r.get("random_rng_state");
                assertEquals(3L, random.get(0));
                assertEquals(625, ((List<?>) random.get(1)).size());
                assertEquals(mt[623], ((List<?>) random.get(1)).get(623));
                assertNull(random.get(2));

                assertEquals("torch.ByteStorage", assertInstanceOf(OpaqueTensor.class, r.get("torch_rng_state")).storageType());
                assertInstanceOf(OpaqueTensor.class, r.get("cuda_rng_state"));
                InertObject size = assertInstanceOf(InertObject.class,
                        ((Map<?, ?>) ((List<?>) r.get("param_shapes")).getFirst()).get("transformer.word_embeddings.weight"));
                assertEquals("torch.Size", size.global());
                assertEquals(List.of(List.of(7L, 3L)), size.args());
                InertObject args = assertInstanceOf(InertObject.class, r.get("args"));
                assertEquals("argparse.Namespace", args.global());
                assertEquals("pretrain", ((Map<?, ?>) args.state()).get("mode"));
                assertEquals(48000L, r.get("iteration"));
                assertEquals("cosine", ((Map<?, ?>) r.get("client_lr_scheduler")).get("decay_style"));
                assertEquals("builtins.set", ((InertObject) r.get("csr_tensor_module_names")).global());
                assertEquals("0.5.10", r.get("ds_version"));
            }
        }
    }

    @Test
    void theTrainingStateRoundTripsThroughTheWriter() {
        Path f = dir.resolve("state.pt");
        TorchCheckpointWriter.save(f, ReleasedFileVariants.satRoot(module(), 16));
        try (TorchCheckpoint c = TorchCheckpoint.open(f)) {
            Map<String, Object> copy = new LinkedHashMap<>();
            for (Map.Entry<?, ?> e : ((Map<?, ?>) c.root()).entrySet()) {
                if (!List.of("optimizer", "torch_rng_state", "cuda_rng_state", "rng_tracker_states").contains(e.getKey())) {
                    copy.put((String) e.getKey(), e.getValue());
                }
            }
            Path again = dir.resolve("again.pt");
            TorchCheckpointWriter.saveLegacy(again, copy);
            try (TorchCheckpoint d = TorchCheckpoint.open(again)) {
                Map<?, ?> r = (Map<?, ?>) d.root();
                assertEquals(((Map<?, ?>) c.root()).get("np_rng_state"), r.get("np_rng_state"));
                assertEquals(((Map<?, ?>) c.root()).get("random_rng_state"), r.get("random_rng_state"));
                assertEquals(((InertObject) ((Map<?, ?>) c.root()).get("args")).state(), ((InertObject) r.get("args")).state());
                assertSameStateDict(c, d);
            }
        }
    }

    /** A file with the same extras plus one foreign global is refused by name, in both formats. */
    @Test
    void aForeignGlobalAmongTheTrainingStateIsStillRefusedByName() throws IOException {
        Map<String, Object> root = ReleasedFileVariants.satRoot(module(), 16);
        byte[] namespace = "cargparse\nNamespace\n".getBytes(StandardCharsets.US_ASCII);
        byte[] system = "cposix\nsystem\n".getBytes(StandardCharsets.US_ASCII);

        Path zip = dir.resolve("zip.pt");
        TorchCheckpointWriter.save(zip, root, "archive");
        Map<String, byte[]> records = new LinkedHashMap<>();
        try (ZipFile z = new ZipFile(zip.toFile())) {
            for (ZipEntry e : java.util.Collections.list(z.entries())) {
                records.put(e.getName(), z.getInputStream(e).readAllBytes());
            }
        }
        RawZip raw = new RawZip();
        records.forEach((name, bytes) -> raw.add(name, name.endsWith("data.pkl") ? replace(bytes, namespace, system) : bytes));
        Path hostileZip = dir.resolve("hostile-zip.pt");
        Files.write(hostileZip, raw.build());

        Path legacy = dir.resolve("legacy.pt");
        TorchCheckpointWriter.saveLegacy(legacy, root);
        Path hostileLegacy = dir.resolve("hostile-legacy.pt");
        Files.write(hostileLegacy, replace(Files.readAllBytes(legacy), namespace, system));

        for (Path f : List.of(hostileZip, hostileLegacy)) {
            ForbiddenGlobalException e = assertThrows(ForbiddenGlobalException.class, () -> TorchCheckpoint.open(f));
            assertEquals("posix.system", e.global());
            assertTrue(e.getMessage().contains("global posix.system") && e.getMessage().contains(f.getFileName().toString())
                    && e.getMessage().contains("nothing from it was executed"), e.getMessage());
        }
        // without the patch both open
        TorchCheckpoint.open(legacy).close();
    }

    private static byte[] replace(byte[] hay, byte[] from, byte[] to) {
        for (int i = 0; i + from.length <= hay.length; i++) {
            if (java.util.Arrays.equals(hay, i, i + from.length, from, 0, from.length)) {
                java.io.ByteArrayOutputStream out = new java.io.ByteArrayOutputStream();
                out.write(hay, 0, i);
                out.writeBytes(to);
                out.write(hay, i + from.length, hay.length - i - from.length);
                return out.toByteArray();
            }
        }
        throw new AssertionError("pattern not found");
    }

    @Test
    void legacyStoragesAreMappedWhereAlignedAndCopiedOtherwise() {
        Set<Long> copied = new HashSet<>();
        for (int pad = 0; pad < 4; pad++) {
            Map<String, Object> root = new LinkedHashMap<>();
            root.put("note", "x".repeat(pad)); // shifts where the storages start
            root.put("module", Map.of("w", Tensor.of(DType.F32, new int[]{4}, new float[]{1, 2, 3, 4})));
            Path f = dir.resolve("pad" + pad + ".pt");
            TorchCheckpointWriter.saveLegacy(f, root);
            try (TorchCheckpoint c = TorchCheckpoint.open(f)) {
                assertArrayEquals(new float[]{1, 2, 3, 4}, c.stateDict().get("w").toFloats());
                MemorySegment data = c.stateDict().get("w").data();
                assertEquals(0, data.address() % 4, "a copy is aligned too");
                copied.add(c.copiedBytes());
                assertEquals(List.of("0"), c.recordNames());
                assertEquals(1001, c.formatVersion());
                c.verifyChecksums();
            }
        }
        assertEquals(Set.of(0L, 16L), copied, "aligned storages are views, the others copies");
    }

    @Test
    void aLegacyPickleOverTheLimitFailsOnTheLimit() throws IOException {
        Path f = dir.resolve("long.pt");
        Map<String, Object> root = new LinkedHashMap<>();
        root.put("note", "y".repeat(5000));
        root.put("module", Map.of("w", Tensor.of(DType.F32, new int[]{1}, new float[]{1})));
        TorchCheckpointWriter.saveLegacy(f, root);
        byte[] bytes = Files.readAllBytes(f);
        CheckpointLimitException e = assertThrows(CheckpointLimitException.class,
                () -> Ckpt.parse(bytes, PickleAllowList.weightsOnly(), Limits.DEFAULT.withMaxPickleBytes(4096)).close());
        assertEquals("maxPickleBytes", e.limit());
        assertTrue(e.getMessage().contains("legacy object"), e.getMessage());
    }

    /** Both loaders of the SDK (SAT folders, {@code ice_image.pt}) take every variant of the golden files. */
    @Test
    void theGoldenModelsOpenInEveryVariant() {
        Path sat = SharedTestData.model("sat");
        Path icetk = SharedTestData.model("icetk");
        for (Variant v : Variant.values()) {
            Path home = dir.resolve("sat-" + v);
            for (String name : List.of("coglm", "cogview2-dsr", "cogview2-itersr")) {
                ReleasedFileVariants.copySatFolder(sat.resolve(name), home.resolve(name), v);
            }
            Path ice = home.resolve("ice_image.pt");
            try {
                Files.copy(icetk.resolve("ice_text.model"), home.resolve("ice_text.model"));
            } catch (IOException e) {
                throw new java.io.UncheckedIOException(e);
            }
            ReleasedFileVariants.rewrite(icetk.resolve("ice_image.pt"), ice, v);
            ModelRepository repo = ModelRepository.at(home, home);
            for (String name : List.of("coglm", "cogview2-dsr", "cogview2-itersr")) {
                try (TorchCheckpoint want = SatModelFolder.open(sat.resolve(name)).openCheckpoint();
                     TorchCheckpoint got = repo.model(name).openCheckpoint()) {
                    assertSameStateDict(want, got);
                }
            }
            try (TorchCheckpoint want = TorchCheckpoint.open(icetk.resolve("ice_image.pt"));
                 TorchCheckpoint got = TorchCheckpoint.open(repo.iceImage())) {
                assertSameStateDict(want, got);
                TensorRequirements.hvqvae(HvqvaeLayout.inferFrom(got)).check(got);
            }
        }
    }
}
