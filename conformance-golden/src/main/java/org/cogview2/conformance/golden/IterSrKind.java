package org.cogview2.conformance.golden;

import org.cogview2.api.RunControl;
import org.cogview2.api.TokenGrid;
import org.cogview2.conformance.ComparisonResult;
import org.cogview2.conformance.Tolerance;
import org.cogview2.models.sampling.DrawSource;
import org.cogview2.models.sr.IterativeSuperResolution;
import org.cogview2.models.transformer.SatCheckpoints;
import org.cogview2.models.transformer.SatModel;
import org.cogview2.models.transformer.SatTransformer;
import org.cogview2.spi.Tensor;
import org.cogview2.spi.TensorScope;

import java.util.ArrayList;
import java.util.List;
import java.util.stream.IntStream;

/**
 * {@code itersr}: the six LoPAR passes with mode draws: each pass's input grid (the re-masking), the first pass's
 * inputs, hidden states and logits, every pass's argmax and margin at every cell, and the final grid.
 */
final class IterSrKind implements GoldenKind {

    private static final int W = SatTransformer.IMAGE_TOKENS;
    private static final int CELLS = 3600;

    @Override
    public String kind() {
        return "itersr";
    }

    @Override
    public List<ComparisonResult> run(GoldenCase golden, GoldenContext context) {
        SatModel model = GoldenModels.transformer(golden, context, SatCheckpoints.Extra.ITERSR);
        int soi = golden.params().path("soi").asInt();
        IterativeSuperResolution itersr = new IterativeSuperResolution(model.transformer(), model.extra(), context.backend(), soi);
        Tolerance tol = golden.tolerance("tensors", CoglmForwardKind.TENSORS);
        int[] text = golden.ints("text_ids");
        int[] grid = golden.ints("image_ids");

        int[] passInputs = new int[6 * CELLS];
        List<TokenGrid> out = itersr.refine(text, List.of(TokenGrid.of(60, grid)), null, DrawSource.mode(), RunControl.none(),
                (pass, sample, input, output) -> System.arraycopy(input, 0, passInputs, (pass - 1) * CELLS, CELLS));
        List<ComparisonResult> results = new ArrayList<>();
        results.add(HostArrays.compareExact(golden, "iteration_input_grids", passInputs));
        results.add(HostArrays.compareExact(golden, "tokens", out.getFirst().ids()));

        int[] firstInput = java.util.Arrays.copyOf(passInputs, CELLS);
        int[][] inputs = itersr.inputs(text, firstInput);
        results.add(HostArrays.compareExact(golden, "input_ids_iter1", inputs[0]));
        results.add(HostArrays.compareExact(golden, "position_ids", inputs[1]));
        int[] everyCell = IntStream.range(0, CELLS).toArray();
        int[] passArgmax = new int[6 * CELLS];
        float[] passMargin = new float[6 * CELLS];
        try (TensorScope s = context.backend().newScope()) {
            for (int pass = 0; pass < 6; pass++) {
                int[] input = java.util.Arrays.copyOfRange(passInputs, pass * CELLS, (pass + 1) * CELLS);
                try (TensorScope p = context.backend().newScope()) {
                    Tensor hidden = itersr.forward(p, text, new int[][]{input});
                    if (pass == 0) {
                        results.add(HostArrays.compare(p, golden, "final_hidden_iter1", hidden, tol));
                        float[] all = p.readFloats(model.transformer().imageLogits(p, hidden));
                        results.addAll(CoglmForwardKind.logitChecks(golden, all, hidden.shape().dim(1), tol,
                                "logit_row_positions", "logits_rows_iter1", "argmax_iter1", null, "top2_margin_iter1"));
                    }
                    LogitStats stats = LogitStats.of(itersr.cellLogits(hidden, 0, everyCell), CELLS, W);
                    System.arraycopy(stats.argmax(), 0, passArgmax, pass * CELLS, CELLS);
                    System.arraycopy(stats.margin(), 0, passMargin, pass * CELLS, CELLS);
                }
            }
        }
        results.add(HostArrays.compareExact(golden, "iteration_argmax", passArgmax));
        results.add(HostArrays.compare(golden, "iteration_margin", passMargin, tol));
        return results;
    }
}
