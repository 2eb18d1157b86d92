package org.cogview2.cli.evaluation;

import org.cogview2.api.CogView2Pipeline;
import org.cogview2.api.GeneratedImage;
import org.cogview2.api.GenerationOptions;
import org.cogview2.api.RgbImage;
import org.cogview2.api.RunControl;
import org.cogview2.api.ScoredSample;
import org.cogview2.api.Style;
import org.cogview2.api.TokenGrid;
import org.cogview2.dataset.ManifestEntry;
import org.cogview2.tokenizer.icetk.image.PictureQuality;

import java.awt.Graphics2D;
import java.awt.RenderingHints;
import java.awt.image.BufferedImage;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Function;

/**
 * The measurements of a model set on a data set (issue "a demo model set that draws what the prompt says"):
 * <ul>
 *   <li><b>prompt following</b>: a fixed list of emoji, each prompted by its English and its Chinese label; one
 *   picture per prompt; a hit at k when the prompted emoji (any style) is among the k data-set pictures nearest to
 *   the picture ({@link RetrievalIndex}), for the stage-1 picture (its 20x20 tokens decoded) and for the picture
 *   after direct and iterative super-resolution of the same tokens;</li>
 *   <li><b>super-resolution</b>: held-out pictures' true 20x20 tokens through DSR and iterative SR, decoded at 480,
 *   against the true 480 picture (PSNR), beside bicubic x3 of the 20x20 tokens' own 160 decode;</li>
 *   <li><b>post-selection</b>: for held-out pairs, whether a caption scores its own picture's tokens above those of a
 *   picture of another emoji.</li>
 * </ul>
 * Everything runs through the public pipeline, on the backend the user chose.
 */
public final class ModelSetEvaluation {

    private static final int RATE = 8;
    /** The full-pipeline rank of a prompt that only ran stage 1. */
    public static final int NOT_RUN = -2;

    /** One prompt of the prompt-following list. */
    public record PromptCase(String emoji, String language, String prompt) {
    }

    /**
     * The outcome of one prompt: the ranks (0 = nearest; -1 beyond the 5 nearest) of the prompted emoji for the
     * stage-1 and the full-pipeline picture, the nearest data-set picture to the latter, and the picture.
     */
    public record PromptResult(PromptCase prompt, int stage1Rank, int fullRank, ManifestEntry nearest, RgbImage picture) {
    }

    /** Mean PSNR (dB) over the pictures of the super-resolution measurement. */
    public record SuperResolutionResult(int pictures, double psnrSuperResolution, double psnrBicubic) {
    }

    /** Post-selection pairs won and played. */
    public record PostSelectionResult(int wins, int pairs) {
        public double accuracy() {
            return pairs == 0 ? Double.NaN : (double) wins / pairs;
        }
    }

    private final CogView2Pipeline pipeline;
    private final Path dataset;
    private final RetrievalIndex index;
    private final Function<Path, RgbImage> reader;
    private final long seed;

    public ModelSetEvaluation(CogView2Pipeline pipeline, Path dataset, RetrievalIndex index,
                              Function<Path, RgbImage> reader, long seed) {
        this.pipeline = pipeline;
        this.dataset = dataset;
        this.index = index;
        this.reader = reader;
        this.seed = seed;
    }

    /**
     * {@code count} emoji spread evenly over the data set's emoji (sorted by code point), each with its English and
     * its Chinese label: {@code 2 count} prompts, English first.
     */
    public static List<PromptCase> prompts(List<ManifestEntry> entries, int count) {
        Map<String, ManifestEntry> byEmoji = new LinkedHashMap<>();
        entries.stream().sorted((a, b) -> a.emoji().compareTo(b.emoji())).forEach(e -> byEmoji.putIfAbsent(e.emoji(), e));
        List<ManifestEntry> all = new ArrayList<>(byEmoji.values());
        int n = Math.min(count, all.size());
        List<PromptCase> en = new ArrayList<>();
        List<PromptCase> zh = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            ManifestEntry e = all.get((int) ((long) i * all.size() / n));
            en.add(new PromptCase(e.emoji(), "en", e.captionEn()));
            zh.add(new PromptCase(e.emoji(), "zh", e.captionZh()));
        }
        List<PromptCase> out = new ArrayList<>(en);
        out.addAll(zh);
        return out;
    }

    /**
     * One picture for {@code c}; ranks of the prompted emoji at stage 1 and, when {@code superResolve}, after every
     * stage (else the full-pipeline rank is -2 and the picture is the stage-1 one).
     */
    public PromptResult follow(PromptCase c, boolean superResolve) {
        Style style = Style.MAINBODY;
        GenerationOptions options = GenerationOptions.builder().style(style).seed(seed).firstStageOnly(true).build();
        GeneratedImage first = pipeline.generate(c.prompt(), options).images().get(0);
        List<RetrievalIndex.Neighbour> near1 = index.nearest(first.image(), 5);
        int stage1 = RetrievalIndex.rankOf(near1, c.emoji());
        if (!superResolve) {
            return new PromptResult(c, stage1, NOT_RUN, near1.get(0).entry(), first.image());
        }
        RgbImage full = superResolve(templatedText(style, c.prompt()), first.coarse(), style);
        List<RetrievalIndex.Neighbour> near = index.nearest(full, 5);
        return new PromptResult(c, stage1, RetrievalIndex.rankOf(near, c.emoji()), near.get(0).entry(), full);
    }

    /** DSR and iterative SR of a 20x20 grid, decoded at 480. */
    RgbImage superResolve(int[] text, TokenGrid coarse, Style style) {
        TokenGrid direct = pipeline.superResolver().superResolve(text, List.of(coarse), style.dsrSampling(), seed,
                RunControl.none()).get(0);
        TokenGrid fine = pipeline.refiner().refine(text, List.of(direct), false, seed, RunControl.none()).get(0);
        return pipeline.tokenizer().decodeImage(fine, RATE);
    }

    /** The text ids super-resolution gets: the templated prompt without {@code <start_of_image>}. */
    private int[] templatedText(Style style, String prompt) {
        int[] ids = pipeline.tokenizer().encode(style.apply(prompt));
        return Arrays.copyOf(ids, ids.length - 1);
    }

    /** Super-resolution of the held-out pictures' true 20x20 tokens against bicubic x3. */
    public SuperResolutionResult superResolution(List<ManifestEntry> heldout) {
        PictureQuality sr = new PictureQuality();
        PictureQuality bicubic = new PictureQuality();
        for (ManifestEntry e : heldout) {
            RgbImage small = reader.apply(dataset.resolve(e.image160()));
            RgbImage large = reader.apply(dataset.resolve(e.image480()));
            TokenGrid coarse = pipeline.tokenizer().encodeImage(small, RATE);
            RgbImage up = superResolve(templatedText(Style.MAINBODY, e.captionEn()), coarse, Style.MAINBODY);
            sr.add(large.planes(), up.planes());
            RgbImage decoded = pipeline.tokenizer().decodeImage(coarse, RATE);
            bicubic.add(large.planes(), bicubic(decoded, large.width()).planes());
        }
        return new SuperResolutionResult(heldout.size(), sr.psnr(), bicubic.psnr());
    }

    /**
     * Post-selection on {@code pairs} held-out pairs: pair {@code i}'s English (even {@code i}) or Chinese (odd) label
     * ranks its own picture against the next held-out picture of another emoji.
     */
    public PostSelectionResult postSelection(List<ManifestEntry> heldout, int pairs) {
        int wins = 0;
        int played = 0;
        for (int i = 0; i < heldout.size() && played < pairs; i++) {
            ManifestEntry own = heldout.get(i);
            ManifestEntry other = null;
            for (int j = 1; j < heldout.size(); j++) {
                ManifestEntry candidate = heldout.get((i + j) % heldout.size());
                if (!candidate.emoji().equals(own.emoji())) {
                    other = candidate;
                    break;
                }
            }
            if (other == null) {
                break;
            }
            String caption = played % 2 == 0 ? own.captionEn() : own.captionZh();
            TokenGrid a = pipeline.tokenizer().encodeImage(reader.apply(dataset.resolve(own.image160())), RATE);
            TokenGrid b = pipeline.tokenizer().encodeImage(reader.apply(dataset.resolve(other.image160())), RATE);
            List<ScoredSample> ranked = pipeline.postSelector().rank(List.of(a, b), pipeline.tokenizer().encode(caption),
                    RunControl.none());
            if (ranked.get(0).index() == 0 && ranked.get(0).score() > ranked.get(1).score()) {
                wins++;
            }
            played++;
        }
        return new PostSelectionResult(wins, played);
    }

    static RgbImage bicubic(RgbImage image, int side) {
        BufferedImage out = new BufferedImage(side, side, BufferedImage.TYPE_INT_RGB);
        Graphics2D g = out.createGraphics();
        try {
            g.setRenderingHint(RenderingHints.KEY_INTERPOLATION, RenderingHints.VALUE_INTERPOLATION_BICUBIC);
            g.drawImage(image.toBufferedImage(), 0, 0, side, side, null);
        } finally {
            g.dispose();
        }
        return RgbImage.fromBufferedImage(out);
    }
}
