package org.cogview2.models.postselect;

import org.cogview2.api.InvalidInputException;
import org.cogview2.api.PostSelector;
import org.cogview2.api.RunControl;
import org.cogview2.api.ScoredSample;
import org.cogview2.api.Stage;
import org.cogview2.api.TokenGrid;
import org.cogview2.models.transformer.CachedSelfAttention;
import org.cogview2.models.transformer.KvCache;
import org.cogview2.models.transformer.SatTransformer;
import org.cogview2.spi.Backend;
import org.cogview2.spi.Kernels;
import org.cogview2.spi.Shape;
import org.cogview2.spi.Tensor;
import org.cogview2.spi.TensorScope;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;

/**
 * Post-selection by inverse prompting (spec 02 §3): CogLM's transformer with SAT's default full-vocabulary head
 * scores each 20x20 sample by the mean log-likelihood of the caption given the image (SAT 0.2.x
 * {@code evaluate_perplexity}: higher is better), one full forward per candidate.
 *
 * <p>The official script computes this order but ignores it when super-resolution runs; the pipeline of this SDK
 * applies it (best sample first) whenever post-selection is asked for.
 */
public final class InversePromptSelector implements PostSelector {

    private final SatTransformer transformer;
    private final Backend backend;
    private final int startOfChinese;

    public InversePromptSelector(SatTransformer transformer, Backend backend, int startOfChinese) {
        this.transformer = transformer;
        this.backend = backend;
        this.startOfChinese = startOfChinese;
    }

    @Override
    public List<ScoredSample> rank(List<TokenGrid> candidates, int[] captionIds, RunControl control) {
        if (captionIds.length == 0) {
            throw new InvalidInputException("post-selection needs a non-empty caption");
        }
        List<ScoredSample> scored = new ArrayList<>();
        for (int i = 0; i < candidates.size(); i++) {
            control.step(Stage.POST_SELECT, i, candidates.size());
            TokenGrid grid = candidates.get(i);
            if (grid.size() != InversePromptLayout.IMAGE_TOKENS) {
                throw new InvalidInputException("post-selection ranks 20x20 grids, candidate " + i + " is " + grid);
            }
            float[] logProbs = captionLogProbabilities(grid.ids(), captionIds);
            double sum = 0;
            for (float g : logProbs) {
                sum += g;
            }
            scored.add(new ScoredSample(i, grid, (float) (sum / logProbs.length)));
        }
        control.listener().onProgress(Stage.POST_SELECT, candidates.size(), candidates.size());
        // np.argsort(scores)[::-1]: best first; among equal scores the later sample comes first.
        scored.sort(Comparator.comparingDouble(ScoredSample::score).thenComparingInt(ScoredSample::index).reversed());
        return scored;
    }

    /**
     * {@code log p(caption[t] | image, <start_of_chinese>, caption[< t])} for every caption id, computed as
     * {@code log(softmax(logits))} over the full vocabulary.
     */
    public float[] captionLogProbabilities(int[] imageTokens, int[] captionIds) {
        InversePromptLayout layout = new InversePromptLayout(captionIds.length);
        int s = layout.length();
        Kernels k = transformer.kernels();
        int width = transformer.config().numAttentionHeads() * transformer.config().headDim();
        try (TensorScope scope = backend.newScope();
             KvCache cache = new KvCache(scope, k, transformer.config().numLayers(), 1, s, width)) {
            Tensor ids = scope.fromInts(layout.sequence(imageTokens, startOfChinese, captionIds), Shape.of(1, s));
            Tensor positions = scope.fromInts(layout.positions(), Shape.of(s));
            Tensor mask = scope.fromFloats(layout.mask(), Shape.of(s, s));
            Tensor x = transformer.embed(scope, ids, positions);
            Tensor h = transformer.layers(scope, x, new CachedSelfAttention(transformer, cache, mask, null));
            // Rows 400 .. s-2 predict the caption ids at 401 .. s-1; the other rows carry no loss.
            Tensor predicting = k.slice(scope, h, 1, InversePromptLayout.IMAGE_TOKENS, captionIds.length);
            Tensor logits = transformer.vocabularyLogits(scope, transformer.finalNorm(scope, predicting));
            Tensor rows = scope.reshape(logits, Shape.of(captionIds.length, logits.shape().dim(-1)));
            Tensor targets = scope.fromInts(captionIds, Shape.of(captionIds.length));
            return scope.readFloats(k.logSoftmaxGather(scope, rows, targets));
        }
    }
}
