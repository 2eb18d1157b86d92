package org.cogview2.cli;

import org.cogview2.api.CogView2Pipeline;
import org.cogview2.api.GeneratedImage;
import org.cogview2.api.GenerationOptions;
import org.cogview2.api.GenerationResult;
import org.cogview2.api.RgbImage;
import org.cogview2.api.Style;
import org.cogview2.cli.input.InputSource;
import org.cogview2.cli.input.LineRunner;
import org.cogview2.cli.input.OutputNames;
import org.cogview2.cli.input.PromptLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Callable;

/**
 * {@code cogview2 generate "prompt"}: text to 480x480 pictures through all stages; with {@code --input-source}, one
 * generation per input line on models loaded once, as the official {@code text2image.sh} runs.
 */
@Command(name = "generate", description = {
        "Draw pictures from a text prompt (480x480 PNG: a grid plus one file per sample).",
        "With --input-source, draw one set per line of a file (or of standard input) on models loaded once; a bad "
                + "line is reported with its number and the others go on; the exit status is 1 if any line failed."})
final class GenerateCommand implements Callable<Integer> {

    @Parameters(index = "0", arity = "0..1", paramLabel = "PROMPT",
            description = "What to draw (Chinese works best with the official models). Omit it with --input-source.")
    String prompt;

    @Option(names = "--input-source", paramLabel = "FILE",
            description = "Read the prompts from FILE, one per line (blank lines skipped), as the official script "
                    + "does; '-' or 'interactive' reads them from standard input until end of file.")
    String inputSource;

    @Option(names = "--with-id", description = "With --input-source: each line is id<TAB>prompt, and that line's "
            + "pictures go to the folder PATH/<id> of -o, holding 0.png .. N-1.png and the grid concat.png, as in the official "
            + "text2image.sh. Without it the grid of line L is PATH/L-<first 20 characters of the prompt>.png.")
    boolean withId;

    @Option(names = {"-o", "--output"}, paramLabel = "PATH", description = "Output PNG of the grid (default: "
            + "cogview2.png); samples go to PATH-<i>.png. With --input-source, the output folder (default: samples).")
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
    public Integer call() {
        PrintWriter out = spec.commandLine().getOut();
        PrintWriter err = spec.commandLine().getErr();
        if ((prompt == null) == (inputSource == null)) {
            throw new ParameterException(spec.commandLine(), "give either a PROMPT or --input-source, not "
                    + (prompt == null ? "neither" : "both"));
        }
        if (withId && inputSource == null) {
            throw new ParameterException(spec.commandLine(), "--with-id applies to the lines of --input-source");
        }
        Style chosen = Style.byName(style);
        try (CogView2Pipeline pipeline = modelOptions.open(err)) {
            if (inputSource == null) {
                Path grid = output != null ? output : Path.of("cogview2.png");
                generate(pipeline, chosen, prompt, grid, null, out);
                return 0;
            }
            Path dir = output != null ? output : Path.of("samples");
            try (InputSource source = InputSource.open(inputSource, System.in)) {
                int failed = LineRunner.runAll(source, err, line -> {
                    PromptLine p = PromptLine.parse(line.text(), withId);
                    generate(pipeline, chosen, p.prompt(), OutputNames.grid(dir, line, p.id(), p.prompt()), p.id(), out);
                });
                return failed == 0 ? 0 : 1;
            }
        }
    }

    /** One generation; with an id, samples are named {@code <i>.png} beside the grid, else {@code <grid stem>-<i>.png}. */
    private void generate(CogView2Pipeline pipeline, Style chosen, String text, Path grid, String id, PrintWriter out) {
        GenerationResult result;
        try (ProgressBars bars = new ProgressBars(System.err, !noProgress)) {
            GenerationOptions options = GenerationOptions.builder()
                    .style(chosen).samples(batch).seed(seed).greedy(greedy)
                    .firstStageOnly(firstStageOnly).postSelect(postSelect).listener(bars)
                    .build();
            result = pipeline.generate(text, options);
        }
        List<RgbImage> pictures = result.images().stream().map(GeneratedImage::image).toList();
        Map<String, String> meta = PngWriter.metadata(text, seed, pipeline.info());
        meta.put("Style", chosen.id());
        if (id != null) {
            meta.put("Id", id);
        }
        PngWriter.write(PngWriter.grid(pictures, 3), grid, meta);
        out.println("wrote " + grid);
        for (int i = 0; i < pictures.size(); i++) {
            GeneratedImage image = result.images().get(i);
            Map<String, String> one = new LinkedHashMap<>(meta);
            one.put("Sample", Integer.toString(image.sample()));
            image.score().ifPresent(score -> one.put("Score", String.format(Locale.ROOT, "%.6f", score)));
            Path file = id != null ? OutputNames.sample(grid, id, i) : OutputNames.sample(grid, null, image.sample());
            PngWriter.write(image.image().toBufferedImage(), file, one);
            out.println("wrote " + file);
        }
        out.println("timing: " + Timings.summary(result.timings()));
    }
}
