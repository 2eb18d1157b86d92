package org.cogview2.training.cli;

import ai.djl.ndarray.NDManager;
import org.cogview2.dataset.Manifest;
import org.cogview2.training.core.Trainer;
import org.cogview2.training.core.TrainingOptions;
import org.cogview2.training.core.TrainingReport;
import org.cogview2.training.core.TrainingRuntime;
import org.cogview2.training.image.ImageTokenizerConfig;
import org.cogview2.training.image.ImageTokenizerTask;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Spec;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.Callable;

/** {@code cogview2 train image-tokenizer}: icetk's hierarchical VQ-VAE at compress rate 8, written as {@code ice_image.pt}. */
@Command(name = "image-tokenizer", mixinStandardHelpOptions = true,
        description = "Train icetk's image tokenizer (a hierarchical VQ-VAE, written as ice_image.pt) on a data set's 160 and 480 pictures.")
public final class TrainImageTokenizerCommand implements Callable<Integer> {

    @Mixin
    TrainingArguments args;

    @Spec
    CommandSpec spec;

    @Override
    public Integer call() throws Exception {
        ImageTokenizerConfig config = ImageTokenizerConfig.demo();
        if (args.batch != null) {
            config = config.withBatch(args.batch);
        }
        TrainingOptions options = args.options(12_000, 5e-4, 300, 250, 500);
        Path init = args.init == null ? null : Files.isDirectory(args.init) ? args.init.resolve(ImageTokenizerTask.FILE_NAME) : args.init;
        try (NDManager manager = TrainingRuntime.newManager(options.threads());
             ImageTokenizerTask task = new ImageTokenizerTask(manager, config, args.data, Manifest.read(args.data), init, options.seed())) {
            TrainingReport report = new Trainer().run(task, options);
            report.warnings().forEach(w -> spec.commandLine().getErr().println("warning: " + w));
            spec.commandLine().getOut().printf("%s after step %d of %d (%s); wrote %s%n", report.stopReason(),
                    report.endStep(), report.totalSteps(), report.elapsed(), args.out.resolve(ImageTokenizerTask.FILE_NAME));
        }
        return 0;
    }
}
