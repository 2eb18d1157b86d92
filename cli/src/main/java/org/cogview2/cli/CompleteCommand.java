package org.cogview2.cli;

import org.cogview2.api.CogView2Pipeline;
import org.cogview2.api.CompletionBox;
import org.cogview2.api.CompletionResult;
import org.cogview2.api.GenerationOptions;
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
import java.util.List;
import java.util.Map;

/** {@code cogview2 complete "prompt" --image in.png --box h0,w0,h1,w1}: text-guided completion. */
@Command(name = "complete", description = "Re-draw a box of a picture to fit a prompt (the picture is centre-cropped to 480x480).")
final class CompleteCommand implements Runnable {

    @Parameters(index = "0", paramLabel = "PROMPT", description = "What to draw in the box.")
    String prompt;

    @Option(names = "--image", required = true, paramLabel = "FILE", description = "PNG or JPEG picture.")
    Path image;

    @Option(names = "--box", required = true, paramLabel = "h0,w0,h1,w1",
            description = "Rows h0..h1 and columns w0..w1 to re-draw, as fractions of the 480x480 picture.")
    String box;

    @Option(names = {"-o", "--output"}, paramLabel = "FILE", defaultValue = "completion.png", description = "Output PNG of the grid (default: ${DEFAULT-VALUE}).")
    Path output;

    @Option(names = "--style", paramLabel = "STYLE", defaultValue = "none", description = "Style template (default: ${DEFAULT-VALUE}).")
    String style;

    @Option(names = "--batch", paramLabel = "N", defaultValue = "4", description = "Number of completions (default: ${DEFAULT-VALUE}).")
    int batch;

    @Option(names = "--seed", paramLabel = "SEED", defaultValue = "1234", description = "Random seed (default: ${DEFAULT-VALUE}).")
    long seed;

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
        CompletionBox region = CompletionBox.parse(box);
        RgbImage picture = PictureReader.read(image);
        try (CogView2Pipeline pipeline = modelOptions.open(err);
             ProgressBars bars = new ProgressBars(System.err, !noProgress)) {
            GenerationOptions options = GenerationOptions.builder().style(chosen).samples(batch).seed(seed).listener(bars).build();
            CompletionResult result = pipeline.complete(prompt, picture, region, options);
            bars.close();
            Map<String, String> meta = PngWriter.metadata(prompt, seed, pipeline.info());
            meta.put("Source", image.getFileName().toString());
            meta.put("Box", box);
            List<String> names = java.util.stream.IntStream.range(0, result.images().size()).mapToObj(Integer::toString).toList();
            PngWriter.writeAll(output, result.images(), names, meta, i -> Map.of(), out);
            out.println("timing: " + Timings.summary(result.timings()));
        }
    }
}
