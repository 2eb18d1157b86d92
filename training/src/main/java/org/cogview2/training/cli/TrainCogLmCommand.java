package org.cogview2.training.cli;

import ai.djl.ndarray.NDManager;
import org.cogview2.dataset.Manifest;
import org.cogview2.dataset.ManifestEntry;
import org.cogview2.tokenizer.icetk.IceTextTokenizer;
import org.cogview2.training.coglm.CogLmConfig;
import org.cogview2.training.coglm.CogLmTask;
import org.cogview2.training.core.Trainer;
import org.cogview2.training.core.TrainingOptions;
import org.cogview2.training.core.TrainingReport;
import org.cogview2.training.core.TrainingRuntime;
import org.cogview2.training.tokens.PictureTokens;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

import java.util.List;
import java.util.concurrent.Callable;

/** {@code cogview2 train coglm}: stage 1 (caption to 20x20 tokens, and the picture-to-caption direction of post-selection). */
@Command(name = "coglm", mixinStandardHelpOptions = true,
        description = "Train CogLM (stage 1 and post-selection's inverse direction) on a data set, written as a SAT folder coglm/.")
public final class TrainCogLmCommand implements Callable<Integer> {

    @Mixin
    TrainingArguments args;

    @Mixin
    TokenizerArguments tokenizers;

    @Option(names = "--layers", paramLabel = "N", description = "Transformer layers (default: the demo size's).")
    Integer layers;

    @Option(names = "--hidden", paramLabel = "N", description = "Hidden size (default: the demo size's).")
    Integer hidden;

    @Spec
    CommandSpec spec;

    @Override
    public Integer call() throws Exception {
        CogLmConfig config = CogLmConfig.demo();
        if (layers != null || hidden != null) {
            int h = hidden != null ? hidden : config.hidden();
            config = new CogLmConfig(layers != null ? layers : config.layers(), h, Math.max(1, h / 32), config.batch(),
                    config.textBias(), config.inverseEvery(), config.noStyleShare());
        }
        if (args.batch != null) {
            config = config.withBatch(args.batch);
        }
        TrainingOptions options = args.options(20_000, 1e-3, 300, 500, 1000);
        List<ManifestEntry> entries = Manifest.read(args.data);
        IceTextTokenizer text = IceTextTokenizer.load(tokenizers.iceText());
        try (NDManager manager = TrainingRuntime.newManager(options.threads())) {
            PictureTokens tokens = PictureTokens.load(tokenizers.tokenCache(args.data), args.data, entries,
                    tokenizers.iceImage(), PictureTokens.LOW_SIDE, manager, spec.commandLine().getOut());
            try (CogLmTask task = new CogLmTask(manager, config, text, tokens, entries, tokenizers.codebookSize(), args.init, options.seed())) {
                TrainingReport report = new Trainer().run(task, options);
                report.warnings().forEach(w -> spec.commandLine().getErr().println("warning: " + w));
                spec.commandLine().getOut().printf("%s after step %d of %d (%s); wrote %s%n", report.stopReason(),
                        report.endStep(), report.totalSteps(), report.elapsed(), args.out.resolve("coglm"));
            }
        }
        return 0;
    }
}
