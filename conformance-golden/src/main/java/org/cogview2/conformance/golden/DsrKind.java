package org.cogview2.conformance.golden;

import org.cogview2.api.DsrSampling;
import org.cogview2.api.RunControl;
import org.cogview2.api.TokenGrid;
import org.cogview2.conformance.ComparisonResult;
import org.cogview2.conformance.Tolerance;
import org.cogview2.spi.sampling.ClusterChoice;
import org.cogview2.models.sampling.ClusterTable;
import org.cogview2.models.sampling.DrawSource;
import org.cogview2.models.sr.DirectSuperResolution;
import org.cogview2.models.transformer.SatCheckpoints;
import org.cogview2.models.transformer.SatModel;
import org.cogview2.models.transformer.SatTransformer;
import org.cogview2.spi.Tensor;
import org.cogview2.spi.TensorScope;

import java.util.ArrayList;
import java.util.List;

/**
 * {@code dsr}: direct super-resolution: the model inputs, the final hidden states, logits and per-position
 * decisions of the one forward pass, the cluster-draw distributions and the 3600 output tokens (mode draws).
 */
final class DsrKind implements GoldenKind {

    private static final int W = SatTransformer.IMAGE_TOKENS;

    @Override
    public String kind() {
        return "dsr";
    }

    @Override
    public List<ComparisonResult> run(GoldenCase golden, GoldenContext context) {
        SatModel model = GoldenModels.transformer(golden, context, SatCheckpoints.Extra.DSR);
        ClusterTable clusters = GoldenModels.clusters(golden, context);
        int soi = golden.params().path("soi").asInt();
        DirectSuperResolution dsr = new DirectSuperResolution(model.transformer(), model.extra(), context.backend(), clusters, soi);
        Tolerance tol = golden.tolerance("tensors", CoglmForwardKind.TENSORS);
        int[] text = golden.ints("text_ids");
        TokenGrid low = TokenGrid.of(20, golden.ints("image_ids"));

        List<ComparisonResult> results = new ArrayList<>();
        int[][] inputs = dsr.inputs(text, low);
        results.add(HostArrays.compareExact(golden, "input_ids", inputs[0]));
        results.add(HostArrays.compareExact(golden, "position_ids", inputs[1]));
        try (TensorScope s = context.backend().newScope()) {
            Tensor hidden = dsr.forward(s, text, List.of(low));
            results.add(HostArrays.compare(s, golden, "final_hidden", hidden, tol));
            int length = hidden.shape().dim(1);
            float[] logits = s.readFloats(model.transformer().imageLogits(s, hidden));
            results.addAll(CoglmForwardKind.logitChecks(golden, logits, length, tol, "logit_row_positions", "logits_rows",
                    "argmax", null, "top2_margin"));
        }
        DsrSampling sampling = DsrSampling.greedy(golden.params().path("topk_dsr").asInt(),
                (float) golden.params().path("temp_cluster_dsr").asDouble());
        List<ClusterChoice> choices = new ArrayList<>();
        List<TokenGrid> out = dsr.superResolve(text, List.of(low), sampling, DrawSource.mode(), RunControl.none(), choices::add);
        results.add(HostArrays.compareExact(golden, "tokens", out.getFirst().ids()));
        int[] chosen = new int[choices.size()];
        float[] firstFour = new float[choices.size() * 4];
        for (int i = 0; i < chosen.length; i++) {
            chosen[i] = choices.get(i).cluster();
            System.arraycopy(choices.get(i).clusterProbs(), 0, firstFour, i * 4, 4);
        }
        results.add(HostArrays.compareExact(golden, "chosen_cluster", chosen));
        results.add(HostArrays.compare(golden, "cluster_draw_probs_grid", firstFour, golden.tolerance("probs", Tolerance.absRel(1e-4, 1e-4))));
        return results;
    }
}
