package org.cogview2.cli;

import org.cogview2.api.CogView2Pipeline;
import org.cogview2.api.CompletionBox;
import org.cogview2.api.CompletionResult;
import org.cogview2.api.GenerationOptions;
import org.cogview2.api.RgbImage;
import org.cogview2.api.Style;
import org.cogview2.cli.input.CompletionLine;
import org.cogview2.cli.input.InputSource;
import org.cogview2.cli.input.LineRunner;
import org.cogview2.cli.input.OutputNames;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.Map;
import java.util.concurrent.Callable;

/**
 * {@code cogview2 complete "prompt" --image in.png --box h0,w0,h1,w1}: text-guided completion; with
 * {@code --input-source}, one completion per line of the official {@code input_comp.txt} format on models loaded
 * once.
 */
@Command(name = "complete", description = {
        "Re-draw a box of a picture to fit a prompt (the picture is centre-cropped to 480x480).",
        "With --input-source, complete one picture per line of text<TAB>image_path<TAB>h0<TAB>w0<TAB>h1<TAB>w1 (the "
                + "official input_comp.txt) on models loaded once; a bad line is reported with its number and the "
                + "others go on; the exit status is 1 if any line failed."})
final class CompleteCommand implements Callable<Integer> {

    @Parameters(index = "0", arity = "0..1", paramLabel = "PROMPT",
            description = "What to draw in the box. Omit it with --input-source.")
    String prompt;

    @Option(names = "--image", paramLabel = "FILE", description = "PNG or JPEG picture (with PROMPT).")
    Path image;

    @Option(names = "--box", paramLabel = "h0,w0,h1,w1",
            description = "Rows h0..h1 and columns w0..w1 to re-draw, as fractions of the 480x480 picture (with PROMPT).")
    String box;

    @Option(names = "--input-source", paramLabel = "FILE",
            description = "Read the completions from FILE, one per line: text<TAB>image_path<TAB>h0<TAB>w0<TAB>h1<TAB>w1 "
                    + "(a relative image path is taken from the current folder, else from FILE's folder); '-' or "
                    + "'interactive' reads them from standard input until end of file.")
    String inputSource;

    @Option(names = "--with-id", description = "With --input-source: each line starts with an id and a TAB, and that "
            + "line's pictures go to the folder PATH/<id> of -o, holding 0.png .. N-1.png and the grid concat.png. Without it the "
            + "grid of line L is PATH/L-<first 20 characters of the text>.png.")
    boolean withId;

    @Option(names = {"-o", "--output"}, paramLabel = "PATH", description = "Output PNG of the grid (default: "
            + "completion.png); completions go to PATH-<i>.png. With --input-source, the output folder (default: samples).")
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
    public Integer call() {
        PrintWriter out = spec.commandLine().getOut();
        PrintWriter err = spec.commandLine().getErr();
        if ((prompt == null) == (inputSource == null)) {
            throw new ParameterException(spec.commandLine(), "give either a PROMPT with --image and --box, or "
                    + "--input-source, not " + (prompt == null ? "neither" : "both"));
        }
        if (prompt != null && (image == null || box == null)) {
            throw new ParameterException(spec.commandLine(), "a PROMPT needs --image and --box");
        }
        if (inputSource != null && (image != null || box != null)) {
            throw new ParameterException(spec.commandLine(), "with --input-source the picture and box come from each line");
        }
        if (withId && inputSource == null) {
            throw new ParameterException(spec.commandLine(), "--with-id applies to the lines of --input-source");
        }
        Style chosen = Style.byName(style);
        if (inputSource == null) {
            CompletionBox region = CompletionBox.parse(box);
            RgbImage picture = PictureReader.read(image);
            try (CogView2Pipeline pipeline = modelOptions.open(err)) {
                complete(pipeline, chosen, prompt, picture, region, image, box,
                        output != null ? output : Path.of("completion.png"), null, out);
            }
            return 0;
        }
        Path dir = output != null ? output : Path.of("samples");
        try (CogView2Pipeline pipeline = modelOptions.open(err);
             InputSource source = InputSource.open(inputSource, System.in)) {
            Path folder = source.file() == null ? null : source.file().toAbsolutePath().getParent();
            int failed = LineRunner.runAll(source, err, line -> {
                CompletionLine c = CompletionLine.parse(line.text(), withId, folder);
                CompletionBox b = c.box();
                complete(pipeline, chosen, c.prompt(), PictureReader.read(c.image()), b, c.image(),
                        b.h0() + "," + b.w0() + "," + b.h1() + "," + b.w1(), OutputNames.grid(dir, line, c.id(), c.prompt()),
                        c.id(), out);
            });
            return failed == 0 ? 0 : 1;
        }
    }

    private void complete(CogView2Pipeline pipeline, Style chosen, String text, RgbImage picture, CompletionBox region,
                          Path source, String boxText, Path grid, String id, PrintWriter out) {
        CompletionResult result;
        try (ProgressBars bars = new ProgressBars(System.err, !noProgress)) {
            GenerationOptions options = GenerationOptions.builder().style(chosen).samples(batch).seed(seed).listener(bars).build();
            result = pipeline.complete(text, picture, region, options);
        }
        Map<String, String> meta = PngWriter.metadata(text, seed, pipeline.info());
        meta.put("Source", source.getFileName().toString());
        meta.put("Box", boxText);
        if (id != null) {
            meta.put("Id", id);
        }
        PngWriter.write(PngWriter.grid(result.images(), 3), grid, meta);
        out.println("wrote " + grid);
        for (int i = 0; i < result.images().size(); i++) {
            Path file = OutputNames.sample(grid, id, i);
            PngWriter.write(result.images().get(i).toBufferedImage(), file, meta);
            out.println("wrote " + file);
        }
        out.println("timing: " + Timings.summary(result.timings()));
    }
}
