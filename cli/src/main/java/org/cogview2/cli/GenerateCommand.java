package org.cogview2.cli;

import org.cogview2.api.CogView2Pipeline;
import org.cogview2.api.GeneratedImage;
import org.cogview2.api.GenerationOptions;
import org.cogview2.api.GenerationResult;
import org.cogview2.api.RgbImage;
import org.cogview2.api.Style;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/** {@code cogview2 generate "prompt"}: text to 480x480 pictures through all stages. */
@Command(name = "generate", description = "Draw pictures from a text prompt (480x480 PNG: a grid plus one file per sample).")
final class GenerateCommand implements Runnable {

    @Parameters(index = "0", paramLabel = "PROMPT", description = "What to draw (Chinese works best with the official models).")
    String prompt;

    @Option(names = {"-o", "--output"}, paramLabel = "FILE", description = "Output PNG of the grid (default: ${DEFAULT-VALUE}); samples go to FILE-<i>.png.",
            defaultValue = "cogview2.png")
    Path output;

    @Option(names = "--style", paramLabel = "STYLE", defaultValue = "mainbody",
            description = "none, mainbody, photo, flat, comics, oil, sketch, isometric, chinese, watercolor (default: ${DEFAULT-VALUE}).")
    String style;

    @Option(names = "--batch", paramLabel = "N", defaultValue = "1", description = "Number of samples (default: ${DEFAULT-VALUE}).")
    int batch;

    @Option(names = "--seed", paramLabel = "SEED", defaultValue = "1234", description = "Random seed (default: ${DEFAULT-VALUE}).")
    long seed;

    @Option(names = "--first-stage-only", description = "Stop after CogLM (20x20 tokens, upscaled to 480x480).")
    boolean firstStageOnly;

    @Option(names = "--post-select", description = "Rank samples by inverse prompting and keep that order (best first).")
    boolean postSelect;

    @Option(names = "--greedy", description = "Take the most likely token at every draw (for verification).")
    boolean greedy;

    @Option(names = "--no-progress", description = "Do not draw progress bars.")
    boolean noProgress;

    @Mixin
    ModelOptions modelOptions;

    @Spec
    CommandSpec spec;

    @Override
    public void run() {
        PrintWriter out = spec.commandLine().getOut();
        PrintWriter err = spec.commandLine().getErr();
        Style chosen = Style.byName(style);
        try (CogView2Pipeline pipeline = modelOptions.open(err);
             ProgressBars bars = new ProgressBars(System.err, !noProgress)) {
            GenerationOptions options = GenerationOptions.builder()
                    .style(chosen).samples(batch).seed(seed).greedy(greedy)
                    .firstStageOnly(firstStageOnly).postSelect(postSelect).listener(bars)
                    .build();
            GenerationResult result = pipeline.generate(prompt, options);
            bars.close();
            List<RgbImage> pictures = result.images().stream().map(GeneratedImage::image).toList();
            List<String> names = result.images().stream().map(i -> Integer.toString(i.sample())).toList();
            Map<String, String> meta = PngWriter.metadata(prompt, seed, pipeline.info());
            meta.put("Style", chosen.id());
            PngWriter.writeAll(output, pictures, names, meta, i -> {
                GeneratedImage image = result.images().get(i);
                Map<String, String> one = new LinkedHashMap<>();
                one.put("Sample", Integer.toString(image.sample()));
                image.score().ifPresent(score -> one.put("Score", String.format(Locale.ROOT, "%.6f", score)));
                return one;
            }, out);
            out.println("timing: " + Timings.summary(result.timings()));
        }
    }

}
