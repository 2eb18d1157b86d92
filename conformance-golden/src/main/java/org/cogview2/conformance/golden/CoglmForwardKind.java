package org.cogview2.conformance.golden;

import org.cogview2.conformance.Comparison;
import org.cogview2.conformance.ComparisonResult;
import org.cogview2.conformance.Tolerance;
import org.cogview2.models.coglm.Stage1Layout;
import org.cogview2.models.transformer.CachedSelfAttention;
import org.cogview2.models.transformer.KvCache;
import org.cogview2.models.transformer.SatCheckpoints;
import org.cogview2.models.transformer.SatTransformer;
import org.cogview2.spi.Shape;
import org.cogview2.spi.Tensor;
import org.cogview2.spi.TensorScope;

import java.util.ArrayList;
import java.util.List;

/**
 * {@code coglm_forward}: one full forward of CogLM (no cache reuse) over text + {@code <start_of_image>} + 400 image
 * tokens with the stage-1 layout; every layer's output, the final LayerNorm output and the image logits.
 */
final class CoglmForwardKind implements GoldenKind {

    static final Tolerance TENSORS = Tolerance.absRel(2e-4, 2e-4);

    @Override
    public String kind() {
        return "coglm_forward";
    }

    @Override
    public List<ComparisonResult> run(GoldenCase golden, GoldenContext context) {
        SatTransformer t = GoldenModels.transformer(golden, context, SatCheckpoints.Extra.NONE).transformer();
        Tolerance tol = golden.tolerance("tensors", TENSORS);
        int[] ids = golden.ints("input_ids");
        int length = ids.length;
        Stage1Layout layout = new Stage1Layout(golden.params().path("txt_len").asInt(), (float) golden.params().path("attn_plus").asDouble());
        List<ComparisonResult> results = new ArrayList<>();
        results.add(HostArrays.compareExact(golden, "position_ids", layout.positions(0, length)));

        int hidden = t.config().hiddenSize();
        int layers = t.config().numLayers();
        float[] layerHidden = new float[layers * length * hidden];
        try (TensorScope s = context.backend().newScope();
             KvCache cache = new KvCache(s, t.kernels(), layers, 1, length, t.config().attentionWidth())) {
            Tensor mask = s.fromFloats(layout.maskRows(0, length), Shape.of(length, length));
            Tensor bias = s.fromFloats(layout.biasRows(0, length), Shape.of(length, length));
            CachedSelfAttention attention = new CachedSelfAttention(t, cache, mask, bias);
            Tensor h = t.embed(s, s.fromInts(ids, Shape.of(1, length)), s.fromInts(golden.ints("position_ids"), Shape.of(length)));
            for (int l = 0; l < layers; l++) {
                h = t.layer(s, l, h, attention);
                System.arraycopy(s.readFloats(h), 0, layerHidden, l * length * hidden, length * hidden);
            }
            cache.advance(length);
            results.add(HostArrays.compare(golden, "layer_hidden", layerHidden, tol));
            Tensor normed = t.finalNorm(s, h);
            results.add(HostArrays.compare(s, golden, "final_hidden", normed, tol));
            float[] logits = s.readFloats(t.imageLogits(s, normed));
            results.addAll(logitChecks(golden, logits, length, tol, "logit_row_positions", "logits_rows", "argmax", "max_logit", "top2_margin"));
        }
        return results;
    }

    /** Compares selected rows of logits and the argmax / max / margin of every row. */
    static List<ComparisonResult> logitChecks(GoldenCase golden, float[] logits, int rows, Tolerance tol, String positionsKey,
                                              String rowsKey, String argmaxKey, String maxKey, String marginKey) {
        int width = SatTransformer.IMAGE_TOKENS;
        List<ComparisonResult> results = new ArrayList<>();
        int[] positions = golden.ints(positionsKey);
        float[] picked = new float[positions.length * width];
        for (int i = 0; i < positions.length; i++) {
            System.arraycopy(logits, positions[i] * width, picked, i * width, width);
        }
        results.add(HostArrays.compare(golden, rowsKey, picked, tol));
        LogitStats stats = LogitStats.of(logits, rows, width);
        results.add(Comparison.ints(argmaxKey, golden.shape(argmaxKey), golden.ints(argmaxKey), stats.argmax()));
        if (maxKey != null) {
            results.add(HostArrays.compare(golden, maxKey, stats.max(), tol));
        }
        results.add(HostArrays.compare(golden, marginKey, stats.margin(), tol));
        return results;
    }
}
