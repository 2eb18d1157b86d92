package org.cogview2.conformance.golden;

import com.fasterxml.jackson.databind.JsonNode;
import org.cogview2.api.RunControl;
import org.cogview2.conformance.Comparison;
import org.cogview2.conformance.ComparisonResult;
import org.cogview2.conformance.Tolerance;
import org.cogview2.models.coglm.CogLm;
import org.cogview2.models.coglm.Stage1Layout;
import org.cogview2.models.coglm.StepObserver;
import org.cogview2.models.coglm.TokenChooser;
import org.cogview2.spi.sampling.ClusterChoice;
import org.cogview2.models.sampling.ClusterStrategy;
import org.cogview2.models.sampling.ClusterTable;
import org.cogview2.spi.sampling.DrawPurpose;
import org.cogview2.models.sampling.DrawSource;
import org.cogview2.models.transformer.SatCheckpoints;
import org.cogview2.models.transformer.SatTransformer;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * {@code coglm_generate}: stage 1 through the KV-cache loop. Three cases: greedy (SAT {@code BaseStrategy(top_k=1)}),
 * the cluster strategy with every draw at its mode, and the cluster strategy replaying recorded
 * {@code torch.multinomial} draws (batch 2), each decision's distribution compared with the recorded one.
 */
final class CoglmGenerateKind implements GoldenKind {

    private static final int W = SatTransformer.IMAGE_TOKENS;

    @Override
    public String kind() {
        return "coglm_generate";
    }

    @Override
    public List<ComparisonResult> run(GoldenCase golden, GoldenContext context) {
        SatTransformer t = GoldenModels.transformer(golden, context, SatCheckpoints.Extra.NONE).transformer();
        JsonNode p = golden.params();
        int txtLen = p.path("txt_len").asInt();
        int[] seq = golden.ints("seq");
        int[] prompt = Arrays.copyOf(seq, txtLen + 1);
        Stage1Layout layout = new Stage1Layout(txtLen, (float) p.path("attn_plus").asDouble());
        if (golden.hasOutput("step_argmax")) {
            return greedy(golden, t, context, prompt, layout, p.path("soi").asInt());
        }
        ClusterTable clusters = GoldenModels.clusters(golden, context);
        CogLm coglm = new CogLm(t, context.backend(), clusters, p.path("soi").asInt(), CogLm.DEFAULT_MAX_BATCH);
        JsonNode recipe = p.path("recipe");
        ClusterStrategy strategy = new ClusterStrategy(clusters, (float) recipe.path("temp_all_gen").asDouble(),
                recipe.path("topk_gen").asInt(), (float) recipe.path("temp_cluster_gen").asDouble());
        return golden.hasOutput("cluster_draw_index")
                ? replay(golden, coglm, clusters, strategy, prompt, layout)
                : mode(golden, coglm, strategy, prompt, layout);
    }

    private List<ComparisonResult> greedy(GoldenCase golden, SatTransformer t, GoldenContext context, int[] prompt,
                                          Stage1Layout layout, int soi) {
        Tolerance tol = golden.tolerance("logits", CoglmForwardKind.TENSORS);
        CogLm coglm = new CogLm(t, context.backend(), null, soi, 1);
        float[] logits = new float[400 * W];
        StepObserver observer = (step, l, rows, chosen) -> System.arraycopy(l, 0, logits, step * W, W);
        TokenChooser argmax = (l, offset, sample, step) -> LogitStats.of(Arrays.copyOfRange(l, offset, offset + W), 1, W).argmax()[0];
        int[][] rows = coglm.generateBatch(prompt, layout, 0, 1, argmax, RunControl.none(), observer);
        List<ComparisonResult> results = new ArrayList<>();
        results.add(HostArrays.compareExact(golden, "tokens", rows[0]));
        LogitStats stats = LogitStats.of(logits, 400, W);
        results.add(HostArrays.compareExact(golden, "step_argmax", stats.argmax()));
        results.add(HostArrays.compare(golden, "step_max_logit", stats.max(), tol));
        results.add(HostArrays.compare(golden, "step_margin", stats.margin(), tol));
        results.add(HostArrays.compare(golden, "step_logits_first", Arrays.copyOf(logits, 6 * W), tol));
        results.add(HostArrays.compare(golden, "step_logits_last", Arrays.copyOfRange(logits, 398 * W, 400 * W), tol));
        return results;
    }

    private List<ComparisonResult> mode(GoldenCase golden, CogLm coglm, ClusterStrategy strategy, int[] prompt, Stage1Layout layout) {
        Tolerance probs = golden.tolerance("probs", Tolerance.absRel(1e-4, 1e-4));
        ClusterChoice[] choices = new ClusterChoice[400];
        float[] firstLogits = new float[4 * W];
        TokenChooser chooser = (l, offset, sample, step) -> {
            ClusterChoice c = strategy.choose(l, offset, sample, step, DrawSource.mode());
            choices[step] = c;
            return c.token();
        };
        StepObserver observer = (step, l, rows, chosen) -> {
            if (step < 4) {
                System.arraycopy(l, 0, firstLogits, step * W, W);
            }
        };
        int[][] rows = coglm.generateBatch(prompt, layout, 0, 1, chooser, RunControl.none(), observer);
        int k = choices[0].clusterProbs().length;
        int[] clusters = new int[400];
        float[] clusterProbs = new float[400 * k];
        float[] tokenProb = new float[400];
        for (int s = 0; s < 400; s++) {
            clusters[s] = choices[s].cluster();
            System.arraycopy(choices[s].clusterProbs(), 0, clusterProbs, s * k, k);
            tokenProb[s] = choices[s].tokenProbability();
        }
        List<ComparisonResult> results = new ArrayList<>();
        results.add(HostArrays.compareExact(golden, "tokens", rows[0]));
        results.add(HostArrays.compareExact(golden, "chosen_cluster", clusters));
        results.add(HostArrays.compare(golden, "cluster_draw_probs", clusterProbs, probs));
        results.add(HostArrays.compare(golden, "token_draw_prob", tokenProb, probs));
        results.add(HostArrays.compare(golden, "step_logits_first", firstLogits, golden.tolerance("logits", CoglmForwardKind.TENSORS)));
        return results;
    }

    private List<ComparisonResult> replay(GoldenCase golden, CogLm coglm, ClusterTable clusters, ClusterStrategy strategy,
                                          int[] prompt, Stage1Layout layout) {
        Tolerance probs = golden.tolerance("probs", Tolerance.absRel(1e-4, 1e-4));
        int[] recordedTokens = golden.ints("tokens");
        int batch = golden.shape("tokens")[0];
        int length = golden.shape("tokens")[1];
        int[] clusterIndex = golden.ints("cluster_draw_index");
        int start = prompt.length;
        // Replays the recorded choices: the cluster rank, and the token's index inside its cluster.
        DrawSource recorded = (sample, step, purpose, weights, n) -> purpose == DrawPurpose.CLUSTER
                ? clusterIndex[step * batch + (int) sample]
                : clusters.indexInCluster(recordedTokens[(int) sample * length + start + step]);
        ClusterChoice[][] choices = new ClusterChoice[400][batch];
        TokenChooser chooser = (l, offset, sample, step) -> {
            ClusterChoice c = strategy.choose(l, offset, sample, step, recorded);
            choices[step][(int) sample] = c;
            return c.token();
        };
        int[][] rows = coglm.generateBatch(prompt, layout, 0, batch, chooser, RunControl.none(), StepObserver.NONE);
        int k = choices[0][0].clusterProbs().length;
        float[] clusterProbs = new float[400 * batch * k];
        float[] tokenProb = new float[400 * batch];
        int[] support = new int[400 * batch];
        for (int s = 0; s < 400; s++) {
            for (int b = 0; b < batch; b++) {
                System.arraycopy(choices[s][b].clusterProbs(), 0, clusterProbs, (s * batch + b) * k, k);
                tokenProb[s * batch + b] = choices[s][b].tokenProbability();
                support[s * batch + b] = choices[s][b].support();
            }
        }
        int[] tokens = new int[batch * length];
        for (int b = 0; b < batch; b++) {
            System.arraycopy(rows[b], 0, tokens, b * length, length);
        }
        List<ComparisonResult> results = new ArrayList<>();
        results.add(Comparison.ints("tokens", golden.shape("tokens"), recordedTokens, tokens));
        results.add(HostArrays.compare(golden, "cluster_draw_probs", clusterProbs, probs));
        results.add(HostArrays.compare(golden, "token_draw_prob", tokenProb, probs));
        results.add(HostArrays.compareExact(golden, "token_draw_support", support));
        return results;
    }
}
