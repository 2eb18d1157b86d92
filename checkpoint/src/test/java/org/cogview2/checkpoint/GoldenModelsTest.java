package org.cogview2.checkpoint;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.cogview2.checkpoint.npy.NpyArray;
import org.cogview2.checkpoint.testing.SharedTestData;
import org.cogview2.spi.DType;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

/**
 * Every checkpoint of the golden set loads through the public API and its tensors reproduce the values the
 * golden cases record: the CogLM weights drive a plain fp32 re-computation of {@code coglm_forward} (every
 * transformer tensor takes part), the DSR/iterative-SR word embeddings reproduce their cases' logits from the
 * recorded final hidden states, and the HVQVAE tensors reproduce the recorded convolution, down-sampling,
 * projection and codebook-lookup intermediates.
 */
class GoldenModelsTest {

    private static ModelRepository repo;

    @BeforeAll
    static void locate() {
        repo = ModelRepository.discover(SharedTestData.golden().resolve("models"));
    }

    private static float[] npy(String caseName, String file) {
        return NpyArray.read(SharedTestData.golden(caseName).resolve(file)).toFloats();
    }

    private static long[] npyLongs(String caseName, String file) {
        return NpyArray.read(SharedTestData.golden(caseName).resolve(file)).toLongs();
    }

    private static JsonNode params(String caseName) throws IOException {
        return new ObjectMapper().readTree(SharedTestData.golden(caseName).resolve("case.json").toFile()).get("params");
    }

    private static void assertClose(float[] want, float[] got, double abs, double rel, String what) {
        assertEquals(want.length, got.length, what + " length");
        double worst = 0;
        int at = -1;
        for (int i = 0; i < want.length; i++) {
            double err = Math.abs(got[i] - want[i]) - (abs + rel * Math.abs(want[i]));
            if (err > worst) {
                worst = err;
                at = i;
            }
        }
        if (at >= 0) {
            fail(what + ": element " + at + " is " + got[at] + ", golden " + want[at] + " (tolerance abs " + abs
                    + " rel " + rel + ")");
        }
    }

    // ------------------------------------------------------------------ SAT transformers

    @Test
    void satFoldersMatchTheirConfigsAndRequirements() {
        TransformerConfig coglm = repo.coglm().config();
        assertEquals(2, coglm.numLayers());
        assertEquals(64, coglm.hiddenSize());
        assertEquals(4, coglm.numAttentionHeads());
        assertEquals(23008, coglm.vocabSize());
        assertEquals(1024, coglm.maxSequenceLength());
        assertEquals(LayerNormOrder.SANDWICH, coglm.layerNormOrder());
        assertEquals(256, coglm.innerHiddenSize());
        assertEquals(16, coglm.headDim());
        assertEquals("48000", repo.coglm().tag());
        assertEquals(List.of(96, 496, 4096), repo.dsr().config().extraIntList("layout").orElseThrow());
        assertEquals(4624, repo.itersr().config().extraInt("new_sequence_length").orElseThrow());

        try (TorchCheckpoint c = repo.coglm().openCheckpoint()) {
            var report = TensorRequirements.satTransformer(coglm).rejectUnexpected().check(c);
            assertEquals(List.of(), report.unexpectedKeys());
            assertEquals(36, c.stateDict().size());
            // the DeepSpeed bookkeeping next to 'module' is kept as plain data, the set as an inert object
            Map<?, ?> root = (Map<?, ?>) c.root();
            assertEquals(48000L, root.get("iteration"));
            assertEquals(null, root.get("optimizer"));
            InertObject set = assertInstanceOf(InertObject.class, root.get("csr_tensor_module_names"));
            assertEquals("builtins.set", set.global());
            assertEquals(List.of(List.of()), set.args());
        }
        try (TorchCheckpoint c = repo.dsr().openCheckpoint()) {
            TensorRequirements.cogview2Dsr(coglm, 4624).rejectUnexpected().check(c);
        }
        try (TorchCheckpoint c = repo.itersr().openCheckpoint()) {
            TensorRequirements.cogview2IterSr(coglm, 4624).rejectUnexpected().check(c);
        }
    }

    @Test
    void coglmFp32HoldsExactlyTheWidenedFp16Values() {
        try (TorchCheckpoint half = repo.coglm().openCheckpoint();
             TorchCheckpoint full = repo.model("coglm-fp32").openCheckpoint()) {
            assertEquals(half.stateDict().keySet(), full.stateDict().keySet());
            for (var e : half.stateDict().entrySet()) {
                StoredTensor h = e.getValue();
                StoredTensor f = full.stateDict().get(e.getKey());
                assertEquals(DType.F16, h.dtype(), e.getKey());
                assertEquals(DType.F32, f.dtype(), e.getKey());
                assertArrayEquals(f.toFloats(), h.toFloats(), e.getKey());
            }
        }
    }

    /** Runs CogLM's forward (fp32, spec §3.3–3.7) on the golden input and compares every layer's output. */
    @Test
    void coglmWeightsReproduceTheGoldenForward() throws IOException {
        JsonNode params = params("coglm_forward");
        int txtLen = params.get("txt_len").asInt();
        float attnPlus = (float) params.get("attn_plus").asDouble();
        long[] ids = npyLongs("coglm_forward", "input_ids.npy");
        long[] pos = npyLongs("coglm_forward", "position_ids.npy");
        for (String model : List.of("coglm", "coglm-fp32")) {
            SatModelFolder folder = repo.model(model);
            try (TorchCheckpoint c = folder.openCheckpoint()) {
                ReferenceTransformer t = new ReferenceTransformer(folder.config(), c.stateDict());
                int n = ids.length;
                float[][] mask = new float[n][n];
                float[][] bias = new float[n][n];
                for (int i = 0; i < n; i++) {
                    for (int j = 0; j < n; j++) {
                        mask[i][j] = j < txtLen || j <= i ? 1 : 0;
                        bias[i][j] = j < txtLen ? attnPlus : 0;
                    }
                }
                float[][][] layers = new float[2][][];
                float[][] finalHidden = t.forward(ids, pos, mask, bias, layers);
                float[] goldenLayers = npy("coglm_forward", "layer_hidden.npy");
                for (int l = 0; l < 2; l++) {
                    float[] got = flatten(layers[l]);
                    float[] want = java.util.Arrays.copyOfRange(goldenLayers, l * got.length, (l + 1) * got.length);
                    assertClose(want, got, 2e-4, 2e-4, model + " layer " + l + " output");
                }
                assertClose(npy("coglm_forward", "final_hidden.npy"), flatten(finalHidden), 2e-4, 2e-4,
                        model + " final hidden");
                long[] rows = npyLongs("coglm_forward", "logit_row_positions.npy");
                float[] want = npy("coglm_forward", "logits_rows.npy");
                float[] got = t.imageLogits(finalHidden, rows);
                assertClose(want, got, 2e-4, 2e-4, model + " logits");
            }
        }
    }

    /** DSR and iterative SR: their own word embeddings turn the recorded final hidden states into the recorded logits. */
    @Test
    void superResolutionWordEmbeddingsReproduceRecordedLogits() {
        check("dsr", repo.dsr(), "final_hidden.npy", "logits_rows.npy", false);
        check("itersr", repo.itersr(), "final_hidden_iter1.npy", "logits_rows_iter1.npy", true);
    }

    private void check(String caseName, SatModelFolder folder, String hiddenFile, String logitsFile, boolean fp16Product) {
        try (TorchCheckpoint c = folder.openCheckpoint()) {
            TransformerConfig cfg = folder.config();
            ReferenceTransformer t = new ReferenceTransformer(cfg, c.stateDict());
            float[] hidden = npy(caseName, hiddenFile);
            int h = cfg.hiddenSize();
            float[][] hs = new float[hidden.length / h][h];
            for (int i = 0; i < hs.length; i++) {
                System.arraycopy(hidden, i * h, hs[i], 0, h);
            }
            long[] rows = npyLongs(caseName, "logit_row_positions.npy");
            float[] got = t.imageLogits(hs, rows);
            // itersr's head multiplies in fp16: allow one fp16 rounding of each logit
            assertClose(npy(caseName, logitsFile), got, fp16Product ? 2e-3 : 2e-4, fp16Product ? 1e-3 : 2e-4,
                    caseName + " logits");
        }
    }

    private static float[] flatten(float[][] m) {
        float[] out = new float[m.length * m[0].length];
        for (int i = 0; i < m.length; i++) {
            System.arraycopy(m[i], 0, out, i * m[0].length, m[0].length);
        }
        return out;
    }

    // ------------------------------------------------------------------ icetk

    @Test
    void iceImageLoadsWithInferredReducedWidths() {
        try (TorchCheckpoint c = TorchCheckpoint.open(repo.iceImage())) {
            HvqvaeLayout l = HvqvaeLayout.inferFrom(c);
            assertEquals(32, l.channels());
            assertEquals(16, l.zChannels());
            assertEquals(16, l.embeddingDim());
            assertEquals(20000, l.codebookSize());
            assertEquals(List.of(1, 1, 2), l.encoderChannelsMult());
            assertEquals(List.of(List.of(1, 1, 1, 1, 2), List.of(1, 1, 1, 2), List.of(1, 1, 2)), l.decoderChannelsMult());
            assertEquals(2, l.downSamplers());
            var report = TensorRequirements.hvqvae(l).rejectUnexpected().check(c);
            assertEquals(List.of(), report.absentOptionalKeys(), "the EMA buffers are present too");
            assertEquals(TensorRequirements.hvqvae(l).requirements().size(), c.stateDict().size());
            for (StoredTensor t : c.stateDict().values()) {
                assertEquals(DType.F32, t.dtype(), t.key());
            }
        }
    }

    @Test
    void iceImageTensorsReproduceTheRecordedIntermediates() {
        String k = "image_tokenizer_intermediates";
        try (TorchCheckpoint c = TorchCheckpoint.open(repo.iceImage())) {
            Map<String, StoredTensor> sd = c.stateDict();
            // enc.conv_in on the normalised image
            float[] x = npy(k, "normalized.npy");
            float[] convIn = Conv.conv(x, 3, 64, 64, sd.get("enc.conv_in.weight"), sd.get("enc.conv_in.bias"), 1, 1, 1);
            assertClose(npy(k, "enc_conv_in.npy"), convIn, 2e-4, 1e-4, "enc.conv_in");
            // the two ResidualDownSamples: avg-pool 2x2 + conv 3x3 stride 2 after padding bottom/right by 1
            float[] encOut = npy(k, "enc_out.npy");
            float[] down1 = Conv.residualDown(encOut, 16, 16, sd, "down_samplers.0");
            assertClose(npy(k, "down1.npy"), down1, 2e-4, 1e-4, "down_samplers.0");
            float[] down2 = Conv.residualDown(npy(k, "down1.npy"), 16, 8, sd, "down_samplers.1");
            assertClose(npy(k, "down2.npy"), down2, 2e-4, 1e-4, "down_samplers.1");
            // quantize.proj (1x1) and the nearest code of the codebook
            float[] ze = Conv.conv(npy(k, "down2.npy"), 16, 4, 4, sd.get("quantize.proj.weight"),
                    sd.get("quantize.proj.bias"), 1, 0, 0);
            assertClose(npy(k, "z_e.npy"), ze, 2e-4, 1e-4, "quantize.proj");
            float[] codebook = sd.get("quantize.embed.weight").toFloats();
            long[] ids = npyLongs(k, "ids.npy");
            float[] zeGolden = npy(k, "z_e.npy");
            for (int cell = 0; cell < 16; cell++) {
                int best = -1;
                double bestD = Double.MAX_VALUE;
                for (int code = 0; code < 20000; code++) {
                    double d = 0;
                    for (int ch = 0; ch < 16; ch++) {
                        double diff = zeGolden[ch * 16 + cell] - codebook[code * 16 + ch];
                        d += diff * diff;
                    }
                    if (d < bestD) {
                        bestD = d;
                        best = code;
                    }
                }
                assertEquals(ids[cell], best, "nearest code of cell " + cell);
            }
            // decoder input: embedded codes (NCHW) through decs.0.conv_in
            float[] codes = new float[16 * 16];
            for (int cell = 0; cell < 16; cell++) {
                for (int ch = 0; ch < 16; ch++) {
                    codes[ch * 16 + cell] = codebook[(int) ids[cell] * 16 + ch];
                }
            }
            float[] dec = Conv.conv(codes, 16, 4, 4, sd.get("decs.0.conv_in.weight"), sd.get("decs.0.conv_in.bias"), 1, 1, 1);
            assertClose(npy(k, "dec_conv_in.npy"), dec, 2e-4, 1e-4, "decs.0.conv_in");
            assertTrue(sd.containsKey("quantize.cluster_size"));
        }
    }

    /** Direct 2-D convolution for the checks above (NCHW, batch 1). */
    static final class Conv {
        static float[] conv(float[] x, int cin, int hgt, int wid, StoredTensor weight, StoredTensor bias,
                            int stride, int padTopLeft, int padBottomRight) {
            int[] ws = weight.shape();
            int cout = ws[0];
            int k = ws[2];
            assertEquals(cin, ws[1], weight.key() + " input channels");
            float[] w = weight.toFloats();
            float[] b = bias.toFloats();
            int oh = (hgt + padTopLeft + padBottomRight - k) / stride + 1;
            int ow = (wid + padTopLeft + padBottomRight - k) / stride + 1;
            float[] out = new float[cout * oh * ow];
            for (int o = 0; o < cout; o++) {
                for (int y = 0; y < oh; y++) {
                    for (int xx = 0; xx < ow; xx++) {
                        double s = b[o];
                        for (int i = 0; i < cin; i++) {
                            for (int dy = 0; dy < k; dy++) {
                                int iy = y * stride + dy - padTopLeft;
                                if (iy < 0 || iy >= hgt) {
                                    continue;
                                }
                                for (int dx = 0; dx < k; dx++) {
                                    int ix = xx * stride + dx - padTopLeft;
                                    if (ix < 0 || ix >= wid) {
                                        continue;
                                    }
                                    s += (double) w[((o * cin + i) * k + dy) * k + dx] * x[(i * hgt + iy) * wid + ix];
                                }
                            }
                        }
                        out[(o * oh + y) * ow + xx] = (float) s;
                    }
                }
            }
            return out;
        }

        static float[] residualDown(float[] x, int c, int side, Map<String, StoredTensor> sd, String prefix) {
            float[] conv = conv(x, c, side, side, sd.get(prefix + ".conv_down_sampler.conv.weight"),
                    sd.get(prefix + ".conv_down_sampler.conv.bias"), 2, 0, 1);
            int half = side / 2;
            for (int ch = 0; ch < c; ch++) {
                for (int y = 0; y < half; y++) {
                    for (int xx = 0; xx < half; xx++) {
                        float avg = (x[(ch * side + 2 * y) * side + 2 * xx] + x[(ch * side + 2 * y) * side + 2 * xx + 1]
                                + x[(ch * side + 2 * y + 1) * side + 2 * xx] + x[(ch * side + 2 * y + 1) * side + 2 * xx + 1]) / 4;
                        conv[(ch * half + y) * half + xx] += avg;
                    }
                }
            }
            return conv;
        }
    }

    /** A plain fp32 SAT transformer (sandwich LayerNorm, tanh GELU) used only to validate loaded weights. */
    static final class ReferenceTransformer {
        private final TransformerConfig c;
        private final Map<String, StoredTensor> sd;

        ReferenceTransformer(TransformerConfig c, Map<String, StoredTensor> sd) {
            this.c = c;
            this.sd = sd;
        }

        private float[] w(String key) {
            StoredTensor t = sd.get(key);
            if (t == null) {
                fail("missing " + key);
            }
            return t.toFloats();
        }

        float[][] forward(long[] ids, long[] pos, float[][] mask, float[][] bias, float[][][] layerOut) {
            int n = ids.length;
            int h = c.hiddenSize();
            float[] we = w("transformer.word_embeddings.weight");
            float[] pe = w("transformer.position_embeddings.weight");
            float[][] x = new float[n][h];
            for (int i = 0; i < n; i++) {
                for (int j = 0; j < h; j++) {
                    x[i][j] = we[(int) ids[i] * h + j] + pe[(int) pos[i] * h + j];
                }
            }
            for (int l = 0; l < c.numLayers(); l++) {
                String p = "transformer.layers." + l + ".";
                float[][] a = layerNorm(x, p + "input_layernorm");
                float[][] o = attention(a, p, mask, bias);
                o = layerNorm(o, p + "third_layernorm");
                float[][] x1 = add(x, o);
                float[][] m = layerNorm(x1, p + "post_attention_layernorm");
                float[][] f = linear(gelu(linear(m, p + "mlp.dense_h_to_4h")), p + "mlp.dense_4h_to_h");
                f = layerNorm(f, p + "fourth_layernorm");
                x = add(x1, f);
                layerOut[l] = x;
            }
            return layerNorm(x, "transformer.final_layernorm");
        }

        float[] imageLogits(float[][] hidden, long[] rows) {
            int h = c.hiddenSize();
            float[] we = w("transformer.word_embeddings.weight");
            float[] out = new float[rows.length * 20000];
            for (int r = 0; r < rows.length; r++) {
                float[] y = hidden[(int) rows[r]];
                for (int v = 0; v < 20000; v++) {
                    double s = 0;
                    for (int j = 0; j < h; j++) {
                        s += (double) y[j] * we[v * h + j];
                    }
                    out[r * 20000 + v] = (float) s;
                }
            }
            return out;
        }

        private float[][] attention(float[][] a, String p, float[][] mask, float[][] bias) {
            int n = a.length;
            int nh = c.numAttentionHeads();
            int hd = c.headDim();
            int width = nh * hd;
            float[][] qkv = linear(a, p + "attention.query_key_value");
            float[][] ctx = new float[n][width];
            double scale = 1 / Math.sqrt(hd);
            double[] s = new double[n];
            for (int head = 0; head < nh; head++) {
                for (int i = 0; i < n; i++) {
                    double max = Double.NEGATIVE_INFINITY;
                    for (int j = 0; j < n; j++) {
                        double dot = 0;
                        for (int d = 0; d < hd; d++) {
                            dot += qkv[i][head * hd + d] * scale * qkv[j][width + head * hd + d];
                        }
                        dot += bias[i][j];
                        dot = mask[i][j] > 0 ? dot : -10000;
                        s[j] = dot;
                        max = Math.max(max, dot);
                    }
                    double sum = 0;
                    for (int j = 0; j < n; j++) {
                        s[j] = Math.exp(s[j] - max);
                        sum += s[j];
                    }
                    for (int d = 0; d < hd; d++) {
                        double acc = 0;
                        for (int j = 0; j < n; j++) {
                            acc += s[j] / sum * qkv[j][2 * width + head * hd + d];
                        }
                        ctx[i][head * hd + d] = (float) acc;
                    }
                }
            }
            return linear(ctx, p + "attention.dense");
        }

        private float[][] linear(float[][] x, String p) {
            StoredTensor wt = sd.get(p + ".weight");
            int out = wt.shape()[0];
            int in = wt.shape()[1];
            float[] w = wt.toFloats();
            float[] b = w(p + ".bias");
            float[][] y = new float[x.length][out];
            for (int i = 0; i < x.length; i++) {
                for (int o = 0; o < out; o++) {
                    double s = b[o];
                    for (int k = 0; k < in; k++) {
                        s += (double) x[i][k] * w[o * in + k];
                    }
                    y[i][o] = (float) s;
                }
            }
            return y;
        }

        private float[][] layerNorm(float[][] x, String p) {
            float[] g = w(p + ".weight");
            float[] b = w(p + ".bias");
            float[][] y = new float[x.length][];
            for (int i = 0; i < x.length; i++) {
                double mean = 0;
                for (float v : x[i]) {
                    mean += v;
                }
                mean /= x[i].length;
                double var = 0;
                for (float v : x[i]) {
                    var += (v - mean) * (v - mean);
                }
                var /= x[i].length;
                double inv = 1 / Math.sqrt(var + c.layerNormEpsilon());
                y[i] = new float[x[i].length];
                for (int j = 0; j < x[i].length; j++) {
                    y[i][j] = (float) ((x[i][j] - mean) * inv * g[j] + b[j]);
                }
            }
            return y;
        }

        private static float[][] gelu(float[][] x) {
            float[][] y = new float[x.length][];
            for (int i = 0; i < x.length; i++) {
                y[i] = new float[x[i].length];
                for (int j = 0; j < x[i].length; j++) {
                    double v = x[i][j];
                    y[i][j] = (float) (0.5 * v * (1 + Math.tanh(0.7978845608028654 * v * (1 + 0.044715 * v * v))));
                }
            }
            return y;
        }

        private static float[][] add(float[][] a, float[][] b) {
            float[][] y = new float[a.length][a[0].length];
            for (int i = 0; i < a.length; i++) {
                for (int j = 0; j < a[0].length; j++) {
                    y[i][j] = a[i][j] + b[i][j];
                }
            }
            return y;
        }
    }

    @Test
    void checkpointsAreLittleEndianZipFormatVersion3() {
        for (Path p : List.of(repo.coglm().checkpointFile(), repo.dsr().checkpointFile(),
                repo.itersr().checkpointFile(), repo.iceImage())) {
            try (TorchCheckpoint c = TorchCheckpoint.open(p)) {
                assertEquals(3, c.formatVersion(), p.toString());
                assertEquals(java.nio.ByteOrder.LITTLE_ENDIAN, c.byteOrder(), p.toString());
                c.verifyChecksums();
            }
        }
    }
}
