package org.cogview2.cli;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import org.cogview2.api.InvalidInputException;
import org.cogview2.api.RgbImage;
import org.cogview2.api.TokenGrid;
import org.cogview2.dataset.Manifest;
import org.cogview2.dataset.ManifestEntry;
import org.cogview2.spi.Backend;
import org.cogview2.spi.Backends;
import org.cogview2.tokenizer.icetk.image.IceImageTokenizer;
import org.cogview2.tokenizer.icetk.image.PictureQuality;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

import java.awt.Color;
import java.awt.Graphics2D;
import java.awt.RenderingHints;
import java.awt.image.BufferedImage;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.BitSet;
import java.util.List;
import java.util.Map;

/**
 * {@code cogview2 evaluate image-tokenizer}: encodes and decodes a data set's held-out pictures with an
 * {@code ice_image.pt} on one of our backends (the runtime a user has, not the trainer's graph) at compress rate 8:
 * 160x160 pictures through 20x20 grids and 480x480 pictures through 60x60 grids. Prints PSNR at each size and how
 * much of the codebook the grids use, and writes a strip of originals above their reconstructions.
 */
@Command(name = "image-tokenizer", mixinStandardHelpOptions = true,
        description = "PSNR and codebook usage of an image tokenizer on a data set's held-out pictures; an original-vs-reconstruction strip.")
final class EvaluateImageTokenizerCommand implements Runnable {

    private static final int RATE = 8;
    private static final int CELL = 240;

    @Option(names = "--data", required = true, paramLabel = "DIR", description = "Data-set folder (manifest.jsonl).")
    Path data;

    @Option(names = "--tokenizer", required = true, paramLabel = "FILE", description = "ice_image.pt, or a folder holding it.")
    Path tokenizer;

    @Option(names = "--backend", paramLabel = "NAME", description = "Compute backend (default: the best available).")
    String backend;

    @Option(names = "--limit", defaultValue = "100", paramLabel = "N", description = "Held-out pictures to measure (default: ${DEFAULT-VALUE}; 0: all).")
    int limit;

    @Option(names = "--strip", paramLabel = "FILE", description = "Write a PNG: originals (480) above their 60x60 and 20x20 reconstructions.")
    Path strip;

    @Option(names = "--strip-count", defaultValue = "6", paramLabel = "N", description = "Pictures in the strip (default: ${DEFAULT-VALUE}).")
    int stripCount;

    @Option(names = "--json", description = "Print the figures as one JSON object.")
    boolean json;

    @Spec
    CommandSpec spec;

    @Override
    public void run() {
        PrintWriter out = spec.commandLine().getOut();
        Path file = Files.isDirectory(tokenizer) ? tokenizer.resolve("ice_image.pt") : tokenizer;
        List<ManifestEntry> heldout = Manifest.read(data).stream().filter(e -> !e.isTrain()).toList();
        if (heldout.isEmpty()) {
            throw new InvalidInputException(data.resolve(Manifest.FILE_NAME) + " has no held-out pictures");
        }
        List<ManifestEntry> measured = limit > 0 ? heldout.subList(0, Math.min(limit, heldout.size())) : heldout;
        long start = System.nanoTime();
        PictureQuality at160 = new PictureQuality();
        PictureQuality at480 = new PictureQuality();
        BitSet used = new BitSet();
        List<BufferedImage[]> cells = new ArrayList<>();
        try (Backend b = Backends.discover().select(backend);
             IceImageTokenizer codec = IceImageTokenizer.load(file, b)) {
            for (ManifestEntry e : measured) {
                RgbImage small = PictureReader.read(data.resolve(e.image160()));
                RgbImage large = PictureReader.read(data.resolve(e.image480()));
                RgbImage small2 = roundTrip(codec, small, at160, used);
                RgbImage large2 = roundTrip(codec, large, at480, used);
                if (strip != null && cells.size() < stripCount) {
                    cells.add(new BufferedImage[] {large.toBufferedImage(), large2.toBufferedImage(), small2.toBufferedImage()});
                }
            }
            double seconds = (System.nanoTime() - start) / 1e9;
            int codes = codec.model().codes();
            double usage = (double) used.cardinality() / codes;
            if (json) {
                ObjectNode o = new ObjectMapper().createObjectNode();
                o.put("pictures", measured.size());
                o.put("psnr_480", at480.psnr());
                o.put("psnr_160", at160.psnr());
                o.put("codes_used", used.cardinality());
                o.put("codes", codes);
                o.put("code_usage", usage);
                o.put("backend", b.name());
                o.put("seconds", seconds);
                out.println(o);
            } else {
                out.printf("held-out pictures: %d (backend %s, %.1f s)%n", measured.size(), b.name(), seconds);
                out.printf("PSNR 480x480 through 60x60 tokens: %.2f dB%n", at480.psnr());
                out.printf("PSNR 160x160 through 20x20 tokens: %.2f dB%n", at160.psnr());
                out.printf("codes used: %d of %d (%.1f%%)%n", used.cardinality(), codes, 100 * usage);
            }
        }
        if (strip != null) {
            PngWriter.write(strip(cells), strip, Map.of("Software", "cogview2-java",
                    "Description", "rows: original 480x480; decoded from its 60x60 tokens; decoded from the 20x20 tokens of the 160x160 picture"));
            out.println("wrote " + strip);
        }
    }

    private static RgbImage roundTrip(IceImageTokenizer codec, RgbImage picture, PictureQuality quality, BitSet used) {
        TokenGrid grid = codec.encode(picture, RATE);
        for (int id : grid.ids()) {
            used.set(id);
        }
        RgbImage back = codec.decode(grid, RATE);
        quality.add(picture.planes(), back.planes());
        return back;
    }

    /** Columns of pictures; rows: original, 60x60 reconstruction, 20x20 reconstruction, each scaled to one cell. */
    private static BufferedImage strip(List<BufferedImage[]> cells) {
        int gap = 4;
        int w = cells.size() * (CELL + gap) + gap;
        int h = 3 * (CELL + gap) + gap;
        BufferedImage sheet = new BufferedImage(w, h, BufferedImage.TYPE_INT_RGB);
        Graphics2D g = sheet.createGraphics();
        try {
            g.setColor(new Color(0x40, 0x40, 0x40));
            g.fillRect(0, 0, w, h);
            g.setRenderingHint(RenderingHints.KEY_INTERPOLATION, RenderingHints.VALUE_INTERPOLATION_BILINEAR);
            g.setRenderingHint(RenderingHints.KEY_RENDERING, RenderingHints.VALUE_RENDER_QUALITY);
            for (int c = 0; c < cells.size(); c++) {
                for (int r = 0; r < 3; r++) {
                    g.drawImage(cells.get(c)[r], gap + c * (CELL + gap), gap + r * (CELL + gap), CELL, CELL, null);
                }
            }
        } finally {
            g.dispose();
        }
        return sheet;
    }
}
