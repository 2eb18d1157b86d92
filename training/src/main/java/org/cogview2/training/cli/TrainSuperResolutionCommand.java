package org.cogview2.training.cli;

import ai.djl.ndarray.NDManager;
import org.cogview2.checkpoint.SatModelFolder;
import org.cogview2.checkpoint.TransformerConfig;
import org.cogview2.dataset.Manifest;
import org.cogview2.dataset.ManifestEntry;
import org.cogview2.tokenizer.icetk.IceTextTokenizer;
import org.cogview2.training.coglm.CogLmConfig;
import org.cogview2.training.core.Trainer;
import org.cogview2.training.core.TrainingOptions;
import org.cogview2.training.core.TrainingReport;
import org.cogview2.training.core.TrainingRuntime;
import org.cogview2.training.sr.SuperResolutionTask;
import org.cogview2.training.tokens.PictureTokens;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Random;
import java.util.concurrent.Callable;

/** {@code cogview2 train dsr} and {@code cogview2 train itersr}: the two super-resolution transformers. */
abstract class TrainSuperResolutionCommand implements Callable<Integer> {

    @Mixin
    TrainingArguments args;

    @Mixin
    TokenizerArguments tokenizers;

    @Option(names = "--coglm", paramLabel = "DIR",
            description = "A trained CogLM SAT folder: its size is used and its transformer is the starting point (as in the official models).")
    Path coglm;

    @Option(names = "--pairs", paramLabel = "N",
            description = "Train on at most N training pairs (a seeded choice; their 480 pictures are encoded first, which takes a while).")
    Integer pairs;

    @Spec
    CommandSpec spec;

    abstract SuperResolutionTask.Kind kind();

    @Override
    public Integer call() throws Exception {
        TrainingOptions options = args.options(6_000, 5e-4, 100, 50, 100);
        List<ManifestEntry> entries = chosen(Manifest.read(args.data), options.seed());
        IceTextTokenizer text = IceTextTokenizer.load(tokenizers.iceText());
        TransformerConfig config = coglm != null ? SatModelFolder.open(coglm).config()
                : CogLmConfig.demo().transformer(text.vocabularySize());
        int batch = args.batch != null ? args.batch : 2;
        try (NDManager manager = TrainingRuntime.newManager(options.threads())) {
            Path cache = tokenizers.tokenCache(args.data);
            PictureTokens low = PictureTokens.load(cache, args.data, entries, tokenizers.iceImage(), PictureTokens.LOW_SIDE,
                    manager, spec.commandLine().getOut());
            PictureTokens high = PictureTokens.load(cache, args.data, entries, tokenizers.iceImage(), PictureTokens.HIGH_SIDE,
                    manager, spec.commandLine().getOut());
            try (SuperResolutionTask task = new SuperResolutionTask(manager, kind(), config, batch, text, low, high, entries,
                    tokenizers.codebookSize(), coglm, args.init, options.seed())) {
                TrainingReport report = new Trainer().run(task, options);
                report.warnings().forEach(w -> spec.commandLine().getErr().println("warning: " + w));
                spec.commandLine().getOut().printf("%s after step %d of %d (%s); wrote %s%n", report.stopReason(),
                        report.endStep(), report.totalSteps(), report.elapsed(), args.out.resolve(kind().folder()));
            }
        }
        return 0;
    }

    /** Every held-out pair, and the training pairs or a seeded choice of {@code --pairs} of them. */
    private List<ManifestEntry> chosen(List<ManifestEntry> all, long seed) {
        List<ManifestEntry> train = new ArrayList<>(all.stream().filter(ManifestEntry::isTrain).toList());
        if (pairs != null && pairs < train.size()) {
            Collections.shuffle(train, new Random(seed));
            train = new ArrayList<>(train.subList(0, pairs));
        }
        List<ManifestEntry> out = new ArrayList<>(train);
        out.addAll(all.stream().filter(e -> !e.isTrain()).toList());
        return out;
    }

    @Command(name = "dsr", mixinStandardHelpOptions = true,
            description = "Train direct super-resolution (20x20 tokens of the 160 picture to 60x60 of the 480 one), written as cogview2-dsr/.")
    static final class Direct extends TrainSuperResolutionCommand {
        @Override
        SuperResolutionTask.Kind kind() {
            return SuperResolutionTask.Kind.DIRECT;
        }
    }

    @Command(name = "itersr", mixinStandardHelpOptions = true,
            description = "Train iterative super-resolution (LoPAR refinement of the 60x60 tokens), written as cogview2-itersr/.")
    static final class Iterative extends TrainSuperResolutionCommand {
        @Override
        SuperResolutionTask.Kind kind() {
            return SuperResolutionTask.Kind.ITERATIVE;
        }
    }
}
