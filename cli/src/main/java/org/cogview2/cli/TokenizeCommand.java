package org.cogview2.cli;

import org.cogview2.api.ClosableTokenizer;
import org.cogview2.api.CogView2;
import org.cogview2.api.InvalidInputException;
import org.cogview2.api.RgbImage;
import org.cogview2.api.TokenGrid;
import org.cogview2.api.Tokenizer;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;

/**
 * {@code cogview2 tokenize}: text or a picture to ICE ids, and back with {@code --decode}.
 * <pre>
 *   cogview2 tokenize "a tiger"                    ids
 *   cogview2 tokenize --pieces "a tiger"           pieces
 *   cogview2 tokenize --image in.png               image ids (resized and centre-cropped to 160, rate 8: 20x20)
 *   cogview2 tokenize --decode 20001 20002         text
 *   cogview2 tokenize --decode --image-out p.png 1 2 3 ...   a picture from a square number of image ids
 * </pre>
 */
@Command(name = "tokenize", description = "Turn text or a picture into ICE token ids, or ids back (--decode).")
final class TokenizeCommand implements Runnable {

    @Parameters(paramLabel = "TEXT_OR_IDS", arity = "0..*", description = "Text to encode, or ids to decode.")
    List<String> input;

    @Option(names = "--image", paramLabel = "FILE", description = "Encode this picture instead of text.")
    Path image;

    @Option(names = "--size", paramLabel = "PIXELS", defaultValue = "160", description = "Resize and centre-crop pictures to this side first (default: ${DEFAULT-VALUE}; 0 keeps the size).")
    int size;

    @Option(names = "--rate", paramLabel = "R", defaultValue = "8", description = "Compress rate 4, 8 or 16 (default: ${DEFAULT-VALUE}).")
    int rate;

    @Option(names = "--decode", description = "Decode ids: text ids to text, or image ids to a picture with --image-out.")
    boolean decode;

    @Option(names = "--image-out", paramLabel = "FILE", description = "With --decode: write the picture of image ids here.")
    Path imageOut;

    @Option(names = "--pieces", description = "Print SentencePiece pieces instead of ids.")
    boolean pieces;

    @Option(names = "--linebreaks", description = "Encode line breaks as the <n> token (icetk ignore_linebreak=False).")
    boolean linebreaks;

    @Mixin
    ModelOptions modelOptions;

    @Spec
    CommandSpec spec;

    @Override
    public void run() {
        PrintWriter out = spec.commandLine().getOut();
        try (ClosableTokenizer tokenizer = CogView2.openTokenizer(modelOptions.config())) {
            if (decode) {
                decode(tokenizer, out);
            } else if (image != null) {
                RgbImage picture = PictureReader.read(image);
                TokenGrid grid = size > 0 ? tokenizer.encodePicture(picture, size, rate) : tokenizer.encodeImage(picture, rate);
                out.println(Arrays.stream(grid.ids()).mapToObj(Integer::toString).collect(Collectors.joining(" ")));
            } else {
                String text = String.join(" ", input == null ? List.of() : input);
                if (pieces) {
                    out.println(String.join(" ", tokenizer.tokenize(text)));
                } else {
                    out.println(Arrays.stream(tokenizer.encode(text, linebreaks)).mapToObj(Integer::toString).collect(Collectors.joining(" ")));
                }
            }
        }
    }

    private void decode(Tokenizer tokenizer, PrintWriter out) {
        if (input == null || input.isEmpty()) {
            throw new InvalidInputException("--decode needs ids to decode");
        }
        int[] ids = new int[input.size()];
        for (int i = 0; i < ids.length; i++) {
            try {
                ids[i] = Integer.parseInt(input.get(i).strip());
            } catch (NumberFormatException e) {
                throw new InvalidInputException("'" + input.get(i) + "' is not a token id");
            }
        }
        if (imageOut != null) {
            RgbImage picture = tokenizer.decodeImage(TokenGrid.ofSquare(ids), rate);
            PngWriter.write(picture.toBufferedImage(), imageOut, Map.of("Software", "cogview2-java"));
            out.println("wrote " + imageOut);
        } else {
            out.println(tokenizer.decode(ids));
        }
    }
}
