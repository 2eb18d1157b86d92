package org.cogview2.conformance.golden;

import org.cogview2.api.RunControl;
import org.cogview2.api.ScoredSample;
import org.cogview2.api.TokenGrid;
import org.cogview2.conformance.ComparisonResult;
import org.cogview2.conformance.Tolerance;
import org.cogview2.models.postselect.InversePromptLayout;
import org.cogview2.models.postselect.InversePromptSelector;
import org.cogview2.models.transformer.SatCheckpoints;
import org.cogview2.models.transformer.SatTransformer;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * {@code post_selection}: inverse prompting with the full-vocabulary head; the mean caption log-likelihood of each
 * candidate, every token's log-probability and the order, best first.
 */
final class PostSelectionKind implements GoldenKind {

    @Override
    public String kind() {
        return "post_selection";
    }

    @Override
    public List<ComparisonResult> run(GoldenCase golden, GoldenContext context) {
        SatTransformer t = GoldenModels.transformer(golden, context, SatCheckpoints.Extra.NONE).transformer();
        int[] tokens = golden.ints("tokens");
        int candidates = golden.shape("tokens")[0];
        int length = golden.shape("tokens")[1];
        int image = InversePromptLayout.IMAGE_TOKENS;
        int soc = tokens[image];
        int[] caption = Arrays.copyOfRange(tokens, image + 1, length);
        InversePromptLayout layout = new InversePromptLayout(caption.length);
        InversePromptSelector selector = new InversePromptSelector(t, context.backend(), soc);

        List<ComparisonResult> results = new ArrayList<>();
        results.add(HostArrays.compareExact(golden, "position_ids", layout.positions()));
        int[] lossMask = new int[length];
        for (int i = image + 1; i < length; i++) {
            lossMask[i] = 1;
        }
        results.add(HostArrays.compareExact(golden, "loss_mask", lossMask));

        float[] tokenLogprobs = new float[candidates * (length - 1)];
        List<TokenGrid> grids = new ArrayList<>();
        for (int c = 0; c < candidates; c++) {
            int[] imageTokens = Arrays.copyOfRange(tokens, c * length, c * length + image);
            grids.add(TokenGrid.of(20, imageTokens));
            float[] lp = selector.captionLogProbabilities(imageTokens, caption);
            // Row i predicts token i + 1; only the caption positions carry loss.
            System.arraycopy(lp, 0, tokenLogprobs, c * (length - 1) + image, lp.length);
        }
        results.add(HostArrays.compare(golden, "token_logprobs", tokenLogprobs, golden.tolerance("token_logprobs", Tolerance.absRel(2e-4, 1e-4))));
        List<ScoredSample> ranked = selector.rank(grids, caption, RunControl.none());
        float[] scores = new float[candidates];
        int[] order = new int[candidates];
        for (int i = 0; i < ranked.size(); i++) {
            scores[ranked.get(i).index()] = (float) ranked.get(i).score();
            order[i] = ranked.get(i).index();
        }
        results.add(HostArrays.compare(golden, "scores", scores, golden.tolerance("scores", Tolerance.absRel(1e-4, 1e-5))));
        results.add(HostArrays.compareExact(golden, "order", order));
        return results;
    }
}
