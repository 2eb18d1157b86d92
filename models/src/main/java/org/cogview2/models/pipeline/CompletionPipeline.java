package org.cogview2.models.pipeline;

import org.cogview2.api.CompletionBox;
import org.cogview2.api.CompletionResult;
import org.cogview2.api.GenerationOptions;
import org.cogview2.api.InvalidInputException;
import org.cogview2.api.LanguageModel;
import org.cogview2.api.PromptTooLongException;
import org.cogview2.api.RgbImage;
import org.cogview2.api.Style;
import org.cogview2.api.RunControl;
import org.cogview2.api.SpecialToken;
import org.cogview2.api.Stage;
import org.cogview2.api.SuperResolver;
import org.cogview2.api.TokenGrid;
import org.cogview2.models.coglm.FillingSequence;
import org.cogview2.models.coglm.StepObserver;
import org.cogview2.models.coglm.TokenChooser;
import org.cogview2.models.completion.CompletionLayout;
import org.cogview2.models.completion.CompletionRegion;
import org.cogview2.models.coglm.CogLm;
import org.cogview2.models.sampling.DrawSource;
import org.cogview2.models.sr.LoparSchedule;
import org.cogview2.tokenizer.icetk.image.PictureResize;

import java.util.ArrayList;
import java.util.List;

/**
 * Text-guided completion (spec 02 §8, {@code PatchCompletion}): the picture is resized and centre-cropped to 480;
 * a square crop around the box is tokenized at 20x20; CogLM re-generates the masked cells with the known context
 * visible; crops over 160 pixels go through direct and iterative super-resolution, which only change cells inside
 * the mask; the generated crop replaces the crop region and the whole picture takes one VQ-VAE round trip to blend
 * the seams.
 *
 * <p>As in the official code the text given to every stage is the whole templated prompt including its final
 * {@code <start_of_image>}, and stage 1 adds a second one.
 */
final class CompletionPipeline {

    private static final int SIDE = CompletionRegion.SIDE;

    private final ModelSet models;

    CompletionPipeline(ModelSet models) {
        this.models = models;
    }

    CompletionResult complete(String prompt, RgbImage picture, CompletionBox box, GenerationOptions given) {
        // The official completion script's style is 'none' (no template); a style the caller chose wins.
        GenerationOptions options = given.withDefaultStyle(Style.NONE);
        if (prompt == null || prompt.isBlank()) {
            throw new InvalidInputException("the prompt is empty; describe what to draw in the box");
        }
        int[] text = models.tokenizer().encode(options.style().apply(prompt.strip()));
        if (text.length > LanguageModel.MAX_PROMPT_IDS) {
            throw new PromptTooLongException("The prompt (style template included)", text.length, LanguageModel.MAX_PROMPT_IDS);
        }
        CompletionRegion region = CompletionRegion.of(box);
        if (region.cropSize() > 160 && text.length > SuperResolver.MAX_TEXT_IDS) {
            throw new PromptTooLongException("The prompt text for super-resolution (style template included)", text.length,
                    SuperResolver.MAX_TEXT_IDS);
        }
        RunControl control = options.control();
        Stopwatch watch = new Stopwatch();
        int samples = options.samples();
        PictureResize.Planes image = toSquare480(picture);
        PictureResize.Planes crop = PictureResize.crop(image, region.cropTop(), region.cropLeft(), region.cropSize(), region.cropSize());

        TokenGrid small = models.imageTokenizer().encode(rgb(crop), 160, 8);
        boolean[] mask20 = region.cropMaskAt(20);
        int soi = models.tokenizer().specialTokenId(SpecialToken.START_OF_IMAGE);
        CompletionLayout layout = CompletionLayout.of(text, soi, small.ids(), mask20,
                options.stage1Sampling().textBias());
        DrawSource draws = options.greedy() ? DrawSource.mode() : DrawSource.seeded(options.seed(), 1);
        List<TokenGrid> coarse;
        try (ResidentStages.Lease<ModelSet.CogLmStage> coglm = models.coglm(control.cancellation())) {
            TokenChooser chooser = coglm.get().coglm().chooser(options.stage1Sampling(), draws);
            coarse = watch.time(Stage.GENERATE, 0, () -> {
                // In batches of at most CogLM's, as generation does: memory stays bounded however many samples
                // are asked for, and the draws (keyed by sample index) are those of one big batch.
                FillingSequence filling = new FillingSequence(coglm.get().coglm().transformer(), models.backend());
                List<TokenGrid> grids = new ArrayList<>();
                for (int first = 0; first < samples; first += CogLm.DEFAULT_MAX_BATCH) {
                    int batch = Math.min(CogLm.DEFAULT_MAX_BATCH, samples - first);
                    int[][] filled = filling.fill(layout.sequence(), layout, first, batch, chooser, control,
                            Stage.GENERATE, StepObserver.NONE);
                    for (int[] row : filled) {
                        grids.add(TokenGrid.of(20, layout.grid(row)));
                    }
                }
                return grids;
            });
        }

        List<RgbImage> crops;
        if (region.cropSize() <= 160) {
            crops = watch.time(Stage.DECODE, samples, () -> decodeTo(coarse, region.cropSize(), control));
        } else {
            List<TokenGrid> direct;
            try (var dsr = models.dsr(control.cancellation())) {
                direct = watch.time(Stage.SUPER_RESOLVE, 0, () ->
                        dsr.get().superResolve(text, coarse, options.dsrSampling(), options.seed(), control));
            }
            TokenGrid original = models.imageTokenizer().encode(rgb(PictureResize.bilinear(crop, SIDE, SIDE)), 8);
            boolean[] mask60 = region.cropMaskAt(60);
            List<TokenGrid> merged = new ArrayList<>();
            for (TokenGrid d : direct) {
                int[] ids = d.ids();
                int[] keep = original.ids();
                for (int k = 0; k < ids.length; k++) {
                    if (!mask60[k]) {
                        ids[k] = keep[k];
                    }
                }
                merged.add(TokenGrid.of(60, ids));
            }
            List<TokenGrid> refined;
            try (var itersr = models.itersr(control.cancellation())) {
                refined = watch.time(Stage.REFINE, LoparSchedule.PASSES, () ->
                        itersr.get().refine(text, merged, mask60, options.greedy(), options.seed(), control));
            }
            crops = watch.time(Stage.DECODE, samples, () -> decodeTo(refined, region.cropSize(), control));
        }

        List<RgbImage> out = new ArrayList<>();
        for (RgbImage generated : crops) {
            // One encode/decode round trip of the whole picture blends the seams.
            TokenGrid all = models.imageTokenizer().encode(pasted(image.values(), generated, region), 8);
            out.add(models.imageTokenizer().decode(all, 8));
        }
        return new CompletionResult(out, watch.timings());
    }

    /**
     * The 480 picture with the generated crop in place of the crop region; every pixel outside the crop is the
     * picture's own (the blending round trip that follows re-decodes the whole picture, as the official code does).
     */
    static RgbImage pasted(float[] square480, RgbImage generated, CompletionRegion region) {
        float[] values = square480.clone();
        float[] g = generated.planes();
        int size = region.cropSize();
        for (int c = 0; c < 3; c++) {
            for (int y = 0; y < size; y++) {
                System.arraycopy(g, (c * size + y) * size, values, (c * SIDE + region.cropTop() + y) * SIDE + region.cropLeft(), size);
            }
        }
        return RgbImage.ofPlanes(SIDE, SIDE, values);
    }

    private List<RgbImage> decodeTo(List<TokenGrid> grids, int size, RunControl control) {
        List<RgbImage> out = new ArrayList<>();
        for (int i = 0; i < grids.size(); i++) {
            control.step(Stage.DECODE, i, grids.size());
            out.add(DefaultPipeline.resizeNearest(models.imageTokenizer().decode(grids.get(i), 8), size));
        }
        return out;
    }

    /** {@code read_image} → {@code Resize(480)} → {@code CenterCrop(480)} → {@code / 255}, on the 8-bit picture. */
    static PictureResize.Planes toSquare480(RgbImage picture) {
        RgbImage square = PictureResize.toImage(PictureResize.resizeAndCrop(PictureResize.bytesOf(picture), SIDE));
        return new PictureResize.Planes(SIDE, SIDE, square.planes(), false);
    }

    private static RgbImage rgb(PictureResize.Planes p) {
        return PictureResize.toImage(p);
    }
}
