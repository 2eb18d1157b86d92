package org.cogview2.checkpoint;

import org.cogview2.checkpoint.TorchCheckpointWriter.Tensor;
import org.cogview2.checkpoint.testing.SharedTestData;
import org.cogview2.spi.DType;
import org.cogview2.spi.Shape;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class TensorRequirementsTest {

    @TempDir
    Path dir;

    private static TransformerConfig config(String order) {
        return TransformerConfig.parse(Path.of("c.json"), ("{\"num_layers\": 2, \"hidden_size\": 8, "
                + "\"num_attention_heads\": 2, \"vocab_size\": 10, \"max_sequence_length\": 6, "
                + "\"layernorm_order\": \"" + order + "\"}").getBytes(StandardCharsets.UTF_8));
    }

    /** A state dict holding exactly what the requirements ask, in the first allowed dtype. */
    private static Map<String, Object> satisfying(TensorRequirements r) {
        Map<String, Object> sd = new LinkedHashMap<>();
        for (TensorRequirements.Requirement q : r.requirements()) {
            DType t = q.dtypes().contains(DType.F16) ? DType.F16 : q.dtypes().iterator().next();
            sd.put(q.key(), Tensor.of(t, q.shape().dims(), new float[(int) q.shape().elementCount()]));
        }
        return sd;
    }

    private Path save(Map<String, Object> sd) {
        Path f = dir.resolve("m" + System.nanoTime() + ".pt");
        TorchCheckpointWriter.saveStateDict(f, sd);
        return f;
    }

    @Test
    void sandwichTransformerNeedsSpecSection312Keys() {
        TensorRequirements r = TensorRequirements.satTransformer(config("sandwich"));
        // 2 embeddings + per layer (4 LayerNorms x 2 + 4 linears x 2) + final LayerNorm x 2
        assertEquals(2 + 2 * 16 + 2, r.requirements().size());
        Map<String, Shape> shapes = new LinkedHashMap<>();
        r.requirements().forEach(q -> shapes.put(q.key(), q.shape()));
        assertEquals(Shape.of(10, 8), shapes.get("transformer.word_embeddings.weight"));
        assertEquals(Shape.of(6, 8), shapes.get("transformer.position_embeddings.weight"));
        assertEquals(Shape.of(24, 8), shapes.get("transformer.layers.1.attention.query_key_value.weight"));
        assertEquals(Shape.of(8, 8), shapes.get("transformer.layers.1.attention.dense.weight"));
        assertEquals(Shape.of(32, 8), shapes.get("transformer.layers.0.mlp.dense_h_to_4h.weight"));
        assertEquals(Shape.of(8, 32), shapes.get("transformer.layers.0.mlp.dense_4h_to_h.weight"));
        assertEquals(Shape.of(8), shapes.get("transformer.layers.0.fourth_layernorm.bias"));
        assertEquals(TensorRequirements.FLOATING, r.requirements().getFirst().dtypes());
        assertEquals(2 + 2 * 12 + 2, TensorRequirements.satTransformer(config("pre")).requirements().size());
    }

    @Test
    void aMatchingCheckpointPassesAndUnexpectedKeysAreOnlyNoted() {
        TensorRequirements r = TensorRequirements.satTransformer(config("sandwich"));
        Map<String, Object> sd = satisfying(r);
        sd.put("mixins.something.weight", Tensor.of(DType.F32, new int[]{1}, new float[1]));
        try (TorchCheckpoint c = TorchCheckpoint.open(save(sd))) {
            TensorRequirements.Report report = r.check(c);
            assertEquals(List.of("mixins.something.weight"), report.unexpectedKeys());
            StateDictMismatchException e = assertThrows(StateDictMismatchException.class,
                    () -> TensorRequirements.satTransformer(config("sandwich")).rejectUnexpected().check(c));
            assertEquals(List.of("unexpected tensor 'mixins.something.weight' (no such parameter in "
                    + r.model() + ")"), e.problems());
        }
    }

    @Test
    void allProblemsAreReportedAtOnceWithFileKeyExpectedAndActual() {
        TensorRequirements r = TensorRequirements.satTransformer(config("pre"));
        Map<String, Object> sd = satisfying(r);
        sd.remove("transformer.final_layernorm.bias");
        sd.put("transformer.word_embeddings.weight", Tensor.of(DType.F16, new int[]{11, 8}, new float[88]));
        sd.put("transformer.layers.0.attention.dense.bias", Tensor.ofLongs(new int[]{8}, new long[8]));
        sd.put("transformer.layers.1.attention.dense.weight", Tensor.ofInts(new int[]{8, 9}, new int[72]));
        sd.put("transformer.layers.2.mlp.dense_h_to_4h.bias", Tensor.of(DType.F16, new int[]{32}, new float[32]));
        sd.put("transformer.layers.0.third_layernorm.weight", Tensor.of(DType.F16, new int[]{8}, new float[8]));
        Path f = save(sd);
        try (TorchCheckpoint c = TorchCheckpoint.open(f)) {
            StateDictMismatchException e = assertThrows(StateDictMismatchException.class, () -> r.check(c));
            assertEquals(f, e.file());
            assertEquals(List.of(
                    "tensor 'transformer.word_embeddings.weight' has shape [11, 8], expected [10, 8]",
                    "tensor 'transformer.layers.0.attention.dense.bias' has dtype I64, expected one of [F32, F16, BF16]",
                    "tensor 'transformer.layers.1.attention.dense.weight' has shape [8, 9] and dtype I32, expected "
                            + "shape [8, 8] and one of [F32, F16, BF16]",
                    "missing tensor 'transformer.final_layernorm.bias' (expected shape [8], one of [F32, F16, BF16])",
                    "unexpected tensor 'transformer.layers.2.mlp.dense_h_to_4h.bias': the config says num_layers = 2 "
                            + "but the checkpoint has this layer",
                    "unexpected tensor 'transformer.layers.0.third_layernorm.weight': the config says layernorm_order "
                            + "= 'pre' but the checkpoint has Sandwich-LN weights (config and weights disagree)"),
                    e.problems());
            assertTrue(e.getMessage().startsWith(f + ": 6 problem(s) in the state dict (checked for SAT transformer"),
                    e.getMessage());
        }
    }

    @Test
    void superResolutionMixinsAreRequired() {
        TransformerConfig c = config("sandwich");
        TensorRequirements dsr = TensorRequirements.cogview2Dsr(c, 42);
        Map<String, Shape> shapes = new LinkedHashMap<>();
        dsr.requirements().forEach(q -> shapes.put(q.key(), q.shape()));
        assertEquals(Shape.of(36, 8), shapes.get("mixins.extra_position_embedding.position_embeddings.weight"));
        assertEquals(Shape.of(24, 8), shapes.get("mixins.attention_plus.query_key_value.1.weight"));
        assertEquals(Shape.of(8), shapes.get("mixins.attention_plus.dense.0.bias"));
        assertEquals(TensorRequirements.satTransformer(c).requirements().size() + 1 + 2 * 4, dsr.requirements().size());
        assertEquals(TensorRequirements.satTransformer(c).requirements().size() + 1,
                TensorRequirements.cogview2IterSr(c, 42).requirements().size());
        assertThrows(IllegalArgumentException.class, () -> TensorRequirements.cogview2IterSr(c, 6));
    }

    /** With the released widths the HVQVAE requirements are exactly spec Appendix A (329 keys and shapes). */
    @Test
    void releasedHvqvaeRequirementsEqualSpecAppendixA() throws IOException {
        Path spec = SharedTestData.root().resolve("spec").resolve("01-tokenizer-transformer-checkpoints.md");
        String text = Files.readString(spec);
        String appendix = text.substring(text.indexOf("## Appendix A"));
        appendix = appendix.substring(appendix.indexOf("```") + 3);
        appendix = appendix.substring(0, appendix.indexOf("```"));
        Map<String, Shape> expected = new LinkedHashMap<>();
        Matcher m = Pattern.compile("(\\S+) \\[([0-9,]+)]").matcher(appendix);
        while (m.find()) {
            expected.put(m.group(1), Shape.of(Arrays.stream(m.group(2).split(",")).mapToInt(Integer::parseInt).toArray()));
        }
        assertEquals(329, expected.size());
        Map<String, Shape> actual = new LinkedHashMap<>();
        TensorRequirements.hvqvae(HvqvaeLayout.released()).requirements().forEach(q -> actual.put(q.key(), q.shape()));
        assertEquals(new java.util.TreeMap<>(expected), new java.util.TreeMap<>(actual));
        long elements = actual.values().stream().mapToLong(Shape::elementCount).sum();
        assertEquals(102_579_497L, elements, "spec §2.8 total");
    }

    @Test
    void hvqvaeLayoutIsInferredBackFromAnyConsistentStateDict() {
        HvqvaeLayout l = new HvqvaeLayout(3, 3, 32, 8, 4, 50, List.of(1, 2), 1,
                List.of(List.of(1, 1, 2), List.of(1, 2)), 1, 1, 256, List.of(16));
        Map<String, Object> sd = satisfying(TensorRequirements.hvqvae(l));
        try (TorchCheckpoint c = TorchCheckpoint.open(save(sd))) {
            HvqvaeLayout inferred = HvqvaeLayout.inferFrom(c);
            assertEquals(l, inferred);
            TensorRequirements.hvqvae(inferred).rejectUnexpected().check(c);
        }
        sd.remove("quantize.cluster_size");
        sd.remove("quantize.embed_avg");
        sd.remove("decs.1.conv_out.bias");
        try (TorchCheckpoint c = TorchCheckpoint.open(save(sd))) {
            StateDictMismatchException e = assertThrows(StateDictMismatchException.class,
                    () -> TensorRequirements.hvqvae(HvqvaeLayout.inferFrom(c)).check(c));
            assertEquals(List.of("missing tensor 'decs.1.conv_out.bias' (expected shape [3], one of [F32, F16, BF16])"),
                    e.problems(), "the EMA buffers are optional, the rest is not");
        }
        sd.remove("enc.conv_in.weight");
        try (TorchCheckpoint c = TorchCheckpoint.open(save(sd))) {
            StateDictMismatchException e = assertThrows(StateDictMismatchException.class, () -> HvqvaeLayout.inferFrom(c));
            assertTrue(e.problems().contains("missing tensor 'enc.conv_in.weight'"), e.getMessage());
        }
    }

    @Test
    void customRequirementsCheckOptionalKeys() {
        Map<String, Object> sd = new LinkedHashMap<>();
        sd.put("a", Tensor.of(DType.F32, new int[]{2}, new float[2]));
        try (TorchCheckpoint c = TorchCheckpoint.open(save(sd))) {
            TensorRequirements.Report rep = TensorRequirements.of("toy").require("a", Shape.of(2), DType.F32)
                    .optional("b", Shape.of(3), DType.F32).check(c);
            assertEquals(List.of("b"), rep.absentOptionalKeys());
            StateDictMismatchException e = assertThrows(StateDictMismatchException.class,
                    () -> TensorRequirements.of("toy").require("a", Shape.of(2), DType.F16).check(c));
            assertEquals(List.of("tensor 'a' has dtype F32, expected F16"), e.problems());
        }
        assertThrows(IllegalArgumentException.class, () -> TensorRequirements.of("x").require("k", Shape.of(1)));
    }
}
