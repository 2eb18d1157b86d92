package org.cogview2.training.cli;

import org.cogview2.dataset.Manifest;
import org.cogview2.dataset.ManifestEntry;
import org.cogview2.tokenizer.icetk.training.IceTextModelTrainer;
import org.cogview2.tokenizer.icetk.training.TokenizerReport;
import org.cogview2.tokenizer.icetk.training.TrainedTextModel;
import org.cogview2.tokenizer.icetk.training.TrainingOptions;
import org.cogview2.training.text.CaptionCorpus;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;
import picocli.CommandLine.Model.CommandSpec;

import java.io.IOException;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.Callable;

/** {@code cogview2 train text-tokenizer}: a unigram SentencePiece {@code ice_text.model} from a data set's captions. */
@Command(name = "text-tokenizer", mixinStandardHelpOptions = true,
        description = "Train icetk's text tokenizer (ice_text.model) on a data set's English and Chinese captions with spm_train.")
public final class TrainTextTokenizerCommand implements Callable<Integer> {

    @Option(names = "--data", required = true, description = "Data-set folder (with manifest.jsonl).")
    Path data;

    @Option(names = "--out", required = true, description = "Output folder; ice_text.model is written into it.")
    Path out;

    @Option(names = "--vocab-size", defaultValue = "6000", description = "Pieces to learn (default: ${DEFAULT-VALUE}; fewer if the corpus has fewer).")
    int vocabularySize;

    @Option(names = "--threads", description = "spm_train threads (default: all cores).")
    Integer threads;

    @Spec
    CommandSpec spec;

    @Override
    public Integer call() throws IOException {
        PrintWriter w = spec.commandLine().getOut();
        long start = System.nanoTime();
        List<ManifestEntry> entries = Manifest.read(data);
        List<String> corpus = CaptionCorpus.sentences(entries);
        TrainingOptions options = TrainingOptions.defaults(vocabularySize).withExactVocabularySize(false);
        if (threads != null) {
            options = options.withThreads(threads);
        }
        Files.createDirectories(out);
        Path model = out.resolve("ice_text.model");
        TrainedTextModel trained = new IceTextModelTrainer(options).train(corpus, model);
        TokenizerReport report = TokenizerReport.measure(trained.tokenizer(), CaptionCorpus.english(entries),
                CaptionCorpus.chinese(entries), corpus);
        double seconds = (System.nanoTime() - start) / 1e9;
        String summary = report.summary() + String.format("%nwall time: %.1f s%n", seconds);
        Files.writeString(out.resolve("text-tokenizer-report.txt"), summary, StandardCharsets.UTF_8);
        w.printf("wrote %s (%d pieces from %d sentences)%n%s", model, trained.pieces(), trained.sentences(), summary);
        return report.everySentenceRoundTrips() ? 0 : 1;
    }
}
