package org.cogview2.cli;

import org.cogview2.api.CogView2Pipeline;
import org.cogview2.api.GenerationOptions;
import org.cogview2.api.RgbImage;
import org.cogview2.api.Style;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Spec;

import java.awt.Graphics2D;
import java.awt.RenderingHints;
import java.awt.image.BufferedImage;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;

/**
 * {@code cogview2 gallery}: one picture for each of several prompts, through every stage, tiled into one PNG in prompt
 * order (row by row), each tile scaled to {@code --tile} pixels. The README's gallery is made with it.
 */
@Command(name = "gallery", mixinStandardHelpOptions = true,
        description = "Draw one picture per prompt and tile them, in order, into one PNG (the README's gallery).")
final class GalleryCommand implements Callable<Integer> {

    @Parameters(paramLabel = "PROMPT", arity = "0..*", description = "Prompts, in order (or give --prompts).")
    List<String> prompts = new ArrayList<>();

    @Option(names = "--prompts", paramLabel = "FILE", description = "A file of prompts, one per line (blank lines skipped).")
    Path promptFile;

    @Option(names = {"-o", "--output"}, paramLabel = "FILE", defaultValue = "gallery.png", description = "Output PNG (default: ${DEFAULT-VALUE}).")
    Path output;

    @Option(names = "--columns", paramLabel = "N", defaultValue = "4", description = "Tiles per row (default: ${DEFAULT-VALUE}).")
    int columns;

    @Option(names = "--tile", paramLabel = "PIXELS", defaultValue = "240", description = "Side of each tile (default: ${DEFAULT-VALUE}).")
    int tile;

    @Option(names = "--seed", paramLabel = "SEED", defaultValue = "1234", description = "Random seed of every picture (default: ${DEFAULT-VALUE}).")
    long seed;

    @Option(names = "--style", paramLabel = "STYLE", defaultValue = "mainbody", description = "Style template (default: ${DEFAULT-VALUE}).")
    String style;

    @Mixin
    ModelOptions modelOptions;

    @Spec
    CommandSpec spec;

    @Override
    public Integer call() throws IOException {
        PrintWriter out = spec.commandLine().getOut();
        List<String> all = new ArrayList<>(prompts);
        if (promptFile != null) {
            for (String line : Files.readAllLines(promptFile, StandardCharsets.UTF_8)) {
                if (!line.isBlank()) {
                    all.add(line.strip());
                }
            }
        }
        if (all.isEmpty()) {
            throw new ParameterException(spec.commandLine(), "give prompts, or a file of them with --prompts");
        }
        if (columns < 1 || tile < 16) {
            throw new ParameterException(spec.commandLine(), "--columns must be at least 1 and --tile at least 16");
        }
        Style chosen = Style.byName(style);
        List<RgbImage> pictures = new ArrayList<>();
        try (CogView2Pipeline pipeline = modelOptions.open(spec.commandLine().getErr())) {
            for (int i = 0; i < all.size(); i++) {
                GenerationOptions options = GenerationOptions.builder().style(chosen).seed(seed).build();
                pictures.add(pipeline.generate(all.get(i), options).images().get(0).image());
                out.printf("%d/%d %s%n", i + 1, all.size(), all.get(i));
                out.flush();
            }
            int cols = Math.min(columns, pictures.size());
            int rows = (pictures.size() + cols - 1) / cols;
            BufferedImage sheet = new BufferedImage(cols * tile, rows * tile, BufferedImage.TYPE_INT_RGB);
            Graphics2D g = sheet.createGraphics();
            try {
                g.setRenderingHint(RenderingHints.KEY_INTERPOLATION, RenderingHints.VALUE_INTERPOLATION_BILINEAR);
                g.setRenderingHint(RenderingHints.KEY_RENDERING, RenderingHints.VALUE_RENDER_QUALITY);
                for (int i = 0; i < pictures.size(); i++) {
                    g.drawImage(pictures.get(i).toBufferedImage(), (i % cols) * tile, (i / cols) * tile, tile, tile, null);
                }
            } finally {
                g.dispose();
            }
            Map<String, String> meta = PngWriter.metadata(String.join(" | ", all), seed, pipeline.info());
            meta.put("Style", chosen.id());
            PngWriter.write(sheet, output, meta);
        }
        out.println("wrote " + output);
        return 0;
    }
}
