package org.cogview2.checkpoint;

import org.cogview2.api.ModelNotFoundException;
import org.cogview2.checkpoint.ModelRepository.Component;
import org.cogview2.checkpoint.TorchCheckpointWriter.Tensor;
import org.cogview2.checkpoint.testing.SharedTestData;
import org.cogview2.spi.DType;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.EnumSet;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** model_config.json, SAT folders and the model repository. */
class ModelFolderTest {

    @TempDir
    Path dir;

    private static final String CONFIG = """
            {"model_class": "CachedAutoregressiveModel", "num_layers": 2, "hidden_size": 64,
             "num_attention_heads": 4, "vocab_size": 23008, "layernorm_order": "sandwich",
             "max_sequence_length": 1024, "layout": [16, 3616], "kernel_size": 5, "hidden_dropout": 0.1,
             "nested": {"a": [1, null]}, "model_parallel_size": 1}""";

    private static TransformerConfig parse(String json) {
        return TransformerConfig.parse(Path.of("model_config.json"), json.getBytes(StandardCharsets.UTF_8));
    }

    @Test
    void configMapsKnownKeysAndKeepsTheRest() {
        TransformerConfig c = parse(CONFIG);
        assertEquals(2, c.numLayers());
        assertEquals(64, c.hiddenSize());
        assertEquals(4, c.numAttentionHeads());
        assertEquals(23008, c.vocabSize());
        assertEquals(1024, c.maxSequenceLength());
        assertEquals(LayerNormOrder.SANDWICH, c.layerNormOrder());
        assertEquals(256, c.innerHiddenSize(), "4h when unset");
        assertEquals(16, c.headDim(), "h / nh when unset");
        assertEquals(64, c.attentionWidth());
        assertEquals(1e-5, c.layerNormEpsilon());
        assertEquals(List.of("model_class", "layout", "kernel_size", "hidden_dropout", "nested", "model_parallel_size"),
                List.copyOf(c.extra().keySet()));
        assertEquals(List.of(16, 3616), c.extraIntList("layout").orElseThrow());
        assertEquals(5, c.extraInt("kernel_size").orElseThrow());
        assertTrue(c.extraInt("hidden_dropout").isEmpty());
        assertEquals(0.1, c.extra().get("hidden_dropout"));
        assertEquals(Map.of("a", java.util.Arrays.asList(1, null)), c.extra().get("nested"));
        assertThrows(UnsupportedOperationException.class, () -> c.extra().put("x", 1));
    }

    @Test
    void missingKeysTakeSatDefaultsAndExplicitSizesWin() {
        TransformerConfig d = parse("{\"vocab_size\": 100}");
        assertEquals(24, d.numLayers());
        assertEquals(1024, d.hiddenSize());
        assertEquals(16, d.numAttentionHeads());
        assertEquals(512, d.maxSequenceLength());
        assertEquals(LayerNormOrder.PRE, d.layerNormOrder());
        assertEquals(4096, d.innerHiddenSize());
        assertEquals(64, d.headDim());
        TransformerConfig e = parse("{\"vocab_size\": 100, \"hidden_size\": 60, \"num_attention_heads\": 7,"
                + " \"hidden_size_per_attention_head\": 10, \"inner_hidden_size\": 111, \"layernorm_order\": \"post\","
                + " \"inner_hidden_size_note\": null}");
        assertEquals(10, e.headDim());
        assertEquals(70, e.attentionWidth());
        assertEquals(111, e.innerHiddenSize());
        assertEquals(LayerNormOrder.POST, e.layerNormOrder());
        TransformerConfig nulls = parse("{\"vocab_size\": 100, \"inner_hidden_size\": null, "
                + "\"hidden_size_per_attention_head\": null}");
        assertEquals(4096, nulls.innerHiddenSize());
    }

    @Test
    void everyConfigProblemIsReportedAtOnce() {
        ModelConfigException e = assertThrows(ModelConfigException.class,
                () -> parse("{\"num_layers\": \"2\", \"hidden_size\": -1, \"layernorm_order\": 3}"));
        assertTrue(e.getMessage().contains("num_layers must be an integer"), e.getMessage());
        assertTrue(e.getMessage().contains("hidden_size = -1"), e.getMessage());
        assertTrue(e.getMessage().contains("vocab_size is missing"), e.getMessage());
        assertTrue(e.getMessage().contains("layernorm_order must be"), e.getMessage());
        assertTrue(e.getMessage().startsWith("model_config.json: "), e.getMessage());
    }

    @Test
    void missingConfigFileIsNotFound() {
        assertThrows(ModelNotFoundException.class, () -> TransformerConfig.read(dir.resolve("model_config.json")));
    }

    // ------------------------------------------------------------------ SAT folders

    private Path satFolder(String name, String latest, String tag, boolean withConfig) throws IOException {
        Path f = dir.resolve(name);
        Files.createDirectories(f);
        if (latest != null) {
            Files.writeString(f.resolve("latest"), latest);
        }
        if (withConfig) {
            Files.writeString(f.resolve("model_config.json"), CONFIG);
        }
        if (tag != null) {
            Files.createDirectories(f.resolve(tag));
            TorchCheckpointWriter.saveStateDict(f.resolve(tag).resolve(SatModelFolder.CHECKPOINT_NAME),
                    Map.of("w", Tensor.of(DType.F16, new int[]{2}, new float[]{1, 2})));
        }
        return f;
    }

    @Test
    void satFolderReadsLatestAndFindsTheCheckpoint() throws IOException {
        Path f = satFolder("coglm", " 0048000\n", "48000", true);
        SatModelFolder m = SatModelFolder.open(f);
        assertEquals("48000", m.tag());
        assertEquals(f.resolve("48000").resolve("mp_rank_00_model_states.pt"), m.checkpointFile());
        assertEquals(2, m.config().numLayers());
        try (TorchCheckpoint c = m.openCheckpoint()) {
            assertEquals("mp_rank_00_model_states", c.prefix());
            assertEquals(1, c.stateDict().size());
        }
        Path r = satFolder("release-model", "release", "release", false);
        assertEquals("release", SatModelFolder.open(r).tag());
        assertThrows(ModelNotFoundException.class, () -> SatModelFolder.open(r).config());
    }

    @Test
    void satFolderReportsEveryMissingPiece() throws IOException {
        Path f = satFolder("coglm", "100", null, false);
        ModelNotFoundException e = assertThrows(ModelNotFoundException.class, () -> SatModelFolder.open(f));
        assertTrue(e.getMessage().contains(f.resolve("100").resolve("mp_rank_00_model_states.pt").toString()),
                e.getMessage());
        Path empty = Files.createDirectories(dir.resolve("empty"));
        e = assertThrows(ModelNotFoundException.class, () -> SatModelFolder.open(empty));
        assertTrue(e.getMessage().contains(empty.resolve("latest") + " (the iteration file) does not exist"),
                e.getMessage());
        e = assertThrows(ModelNotFoundException.class, () -> SatModelFolder.open(dir.resolve("nope")));
        assertTrue(e.getMessage().contains("does not exist"), e.getMessage());
    }

    @Test
    void anUnextractedReleaseZipIsPointedOut() throws IOException {
        Files.write(dir.resolve("coglm.zip"), new byte[]{1});
        ModelNotFoundException e = assertThrows(ModelNotFoundException.class,
                () -> SatModelFolder.open(dir.resolve("coglm")));
        assertTrue(e.getMessage().contains("coglm.zip exists: extract it there"), e.getMessage());
    }

    // ------------------------------------------------------------------ repository

    @Test
    void repositoryFindsTheGoldenLayoutFromOneRoot() {
        Path models = SharedTestData.golden().resolve("models");
        ModelRepository r = ModelRepository.discover(models);
        assertEquals(models.resolve("sat"), r.satHome());
        assertEquals(models.resolve("icetk"), r.icetkDirectory());
        assertEquals("48000", r.coglm().tag());
        assertEquals("24000", r.dsr().tag());
        assertEquals("24000", r.itersr().tag());
        assertEquals(models.resolve("icetk").resolve("ice_image.pt"), r.iceImage());
        assertEquals(models.resolve("icetk").resolve("ice_text.model"), r.iceText());
        ModelRepository explicit = ModelRepository.at(models.resolve("sat"), models.resolve("icetk"));
        assertEquals(r.coglm().checkpointFile(), explicit.coglm().checkpointFile());
    }

    @Test
    void repositoryListsEverythingMissingAndWhereItLooked() throws IOException {
        satFolder("coglm", "5", "5", false); // config missing
        satFolder("cogview2-dsr", "7", null, false); // checkpoint missing
        Path ice = Files.createDirectories(dir.resolve("icetk"));
        Files.write(ice.resolve("ice_text.model"), new byte[]{0});
        ModelNotFoundException e = assertThrows(ModelNotFoundException.class, () -> ModelRepository.discover(dir));
        String m = e.getMessage();
        assertTrue(m.contains("coglm: " + dir.resolve("coglm").resolve("model_config.json") + " does not exist"), m);
        assertTrue(m.contains("cogview2-dsr: " + dir.resolve("cogview2-dsr").resolve("7")
                .resolve("mp_rank_00_model_states.pt")), m);
        assertTrue(m.contains("cogview2-itersr: folder " + dir.resolve("cogview2-itersr") + " does not exist"), m);
        assertTrue(m.contains("ice_image.pt: " + ice.resolve("ice_image.pt") + " does not exist"), m);
        assertFalse(m.contains("ice_text.model:"), m);
        assertTrue(m.contains("Looked for the SAT model home"), m);
        assertTrue(m.contains("in: [" + dir + "]"), m);
        // only what is needed is checked up front; the rest when asked for
        ModelRepository partial = ModelRepository.discover(dir, EnumSet.of(Component.ICE_TEXT));
        assertEquals(ice.resolve("ice_text.model"), partial.iceText());
        assertThrows(ModelNotFoundException.class, partial::itersr);
    }

    @Test
    void repositoryWithNothingListsAllCandidateLocations() {
        ModelNotFoundException e = assertThrows(ModelNotFoundException.class, () -> ModelRepository.discover(dir));
        for (String candidate : List.of("sat", ".sat_models", "sat_models", "icetk", ".icetk_models", "icetk_models")) {
            assertTrue(e.getMessage().contains(dir.resolve(candidate).toString()), candidate + " in " + e.getMessage());
        }
    }

    @Test
    void environmentDefaultsFollowSatHomeAndIcetk() throws IOException {
        Path home = Files.createDirectories(dir.resolve("home"));
        ModelNotFoundException e = assertThrows(ModelNotFoundException.class,
                () -> ModelRepository.fromEnvironment(Map.of(), home));
        assertTrue(e.getMessage().contains(home.resolve(".sat_models").toString()), e.getMessage());
        assertTrue(e.getMessage().contains(home.resolve(".icetk_models").toString()), e.getMessage());
        Path models = SharedTestData.golden().resolve("models");
        e = assertThrows(ModelNotFoundException.class,
                () -> ModelRepository.fromEnvironment(Map.of("SAT_HOME", models.resolve("sat").toString()), home));
        assertFalse(e.getMessage().contains("coglm:"), "SAT_HOME is used: " + e.getMessage());
        assertTrue(e.getMessage().contains("ice_image.pt:"), e.getMessage());
    }

    @Test
    void modelNamesCannotEscapeTheHome() {
        ModelRepository r = ModelRepository.discover(SharedTestData.golden().resolve("models"));
        assertThrows(IllegalArgumentException.class, () -> r.model("../icetk"));
        assertThrows(IllegalArgumentException.class, () -> r.model(".."));
        assertNull(null);
    }
}
