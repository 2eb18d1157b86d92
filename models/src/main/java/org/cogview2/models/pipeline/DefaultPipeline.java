package org.cogview2.models.pipeline;

import org.cogview2.api.CogView2Pipeline;
import org.cogview2.api.CompletionBox;
import org.cogview2.api.CompletionResult;
import org.cogview2.api.GeneratedImage;
import org.cogview2.api.GenerationOptions;
import org.cogview2.api.GenerationResult;
import org.cogview2.api.InvalidInputException;
import org.cogview2.api.LanguageModel;
import org.cogview2.api.PipelineInfo;
import org.cogview2.api.PostSelector;
import org.cogview2.api.PromptTooLongException;
import org.cogview2.api.Refiner;
import org.cogview2.api.RgbImage;
import org.cogview2.api.RunControl;
import org.cogview2.api.ScoredSample;
import org.cogview2.api.Stage;
import org.cogview2.api.SuperResolver;
import org.cogview2.api.TokenGrid;
import org.cogview2.api.Tokenizer;
import org.cogview2.checkpoint.TransformerConfig;
import org.cogview2.models.coglm.CogLm;
import org.cogview2.models.sr.IterativeSuperResolution;
import org.cogview2.models.sr.DirectSuperResolution;
import org.cogview2.models.sr.IterativeSuperResolution;
import org.cogview2.models.sr.LoparSchedule;
import org.cogview2.models.postselect.InversePromptSelector;
import org.cogview2.tokenizer.icetk.image.PictureResize;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.OptionalDouble;

/**
 * The CogView2 pipeline (spec 02 §7.4): prompt → style template → ICE ids → CogLM (stage 1) → optional
 * post-selection → direct super-resolution → iterative super-resolution → VQ-VAE decode at 480x480.
 *
 * <p>Differences from the official script, on purpose: post-selection order is applied before super-resolution
 * (the official script ignores it unless only stage 1 runs); batches over 4 that are not a multiple of 4 are
 * super-resolved whole (the official loop drops the tail); the DSR text limit is checked before stage 1 starts.
 */
public final class DefaultPipeline implements CogView2Pipeline {

    private static final int STAGE1_SIDE = 20;
    private static final int OUTPUT_SIDE = 480;

    private final ModelSet models;
    private final CompletionPipeline completion;

    private final LanguageModel languageModel;
    private final PostSelector postSelector;
    private final SuperResolver superResolver;
    private final Refiner refiner;

    public DefaultPipeline(ModelSet models) {
        this.models = models;
        this.completion = new CompletionPipeline(models);
        this.languageModel = languageModelView();
        this.postSelector = postSelectorView();
        this.superResolver = superResolverView();
        this.refiner = refinerView();
    }

    @Override
    public GenerationResult generate(String prompt, GenerationOptions options) {
        int[] ids = promptIds(prompt, options);
        boolean superResolve = !options.firstStageOnly();
        int[] text = Arrays.copyOf(ids, ids.length - 1);
        if (superResolve && text.length > SuperResolver.MAX_TEXT_IDS) {
            throw new PromptTooLongException("The prompt text for super-resolution (style template included)", text.length,
                    SuperResolver.MAX_TEXT_IDS);
        }
        RunControl control = options.control();
        Stopwatch watch = new Stopwatch();
        int samples = options.samples();
        memoryNeeded(ids.length, samples, superResolve).check(models.backend(), "generating " + samples + " sample(s)");
        int stage1Batches = (samples + CogLm.DEFAULT_MAX_BATCH - 1) / CogLm.DEFAULT_MAX_BATCH;

        List<Integer> order = new ArrayList<>();
        double[] scores = null;
        List<TokenGrid> coarse;
        // Generation and post-selection share CogLM's weights: one lease for both.
        try (ResidentStages.Lease<ModelSet.CogLmStage> coglm = models.coglm(control.cancellation())) {
            coarse = watch.time(Stage.GENERATE, 400 * stage1Batches, () ->
                    coglm.get().coglm().generate(ids, options.stage1Sampling(), samples, options.seed(), control));
            if (options.postSelect()) {
                // The official script scores the raw prompt (no template) as stage 1 read it: stripped.
                int[] caption = models.tokenizer().encode(prompt.strip());
                List<ScoredSample> ranked = watch.time(Stage.POST_SELECT, samples, () ->
                        coglm.get().postSelector().rank(coarse, caption, control));
                scores = new double[samples];
                for (ScoredSample s : ranked) {
                    order.add(s.index());
                    scores[s.index()] = s.score();
                }
            }
        }
        if (!options.postSelect()) {
            for (int i = 0; i < samples; i++) {
                order.add(i);
            }
        }
        List<TokenGrid> ordered = order.stream().map(coarse::get).toList();

        List<TokenGrid> fine = null;
        List<RgbImage> pictures;
        if (superResolve) {
            int chunks = (samples + DirectSuperResolution.MAX_BATCH - 1) / DirectSuperResolution.MAX_BATCH;
            List<TokenGrid> direct;
            try (ResidentStages.Lease<DirectSuperResolution> dsr = models.dsr(control.cancellation())) {
                direct = watch.time(Stage.SUPER_RESOLVE, chunks, () ->
                        dsr.get().superResolve(text, ordered, options.dsrSampling(), options.seed(), control));
            }
            try (ResidentStages.Lease<IterativeSuperResolution> itersr = models.itersr(control.cancellation())) {
                fine = watch.time(Stage.REFINE, chunks * LoparSchedule.PASSES, () ->
                        itersr.get().refine(text, direct, options.greedy(), options.seed(), control));
            }
            List<TokenGrid> toDecode = fine;
            pictures = watch.time(Stage.DECODE, samples, () -> decode(toDecode, control));
        } else {
            pictures = watch.time(Stage.DECODE, samples, () -> {
                List<RgbImage> small = decode(ordered, control);
                return small.stream().map(p -> resizeNearest(p, OUTPUT_SIDE)).toList();
            });
        }
        List<GeneratedImage> images = new ArrayList<>();
        for (int i = 0; i < samples; i++) {
            int sample = order.get(i);
            OptionalDouble score = scores == null ? OptionalDouble.empty() : OptionalDouble.of(scores[sample]);
            images.add(new GeneratedImage(sample, pictures.get(i), ordered.get(i), fine == null ? null : fine.get(i), score));
        }
        return new GenerationResult(images, watch.timings(), models.backend().memoryStats().peakBytes());
    }

    /** The peak memory of a run, estimated before it starts. */
    MemoryEstimate memoryNeeded(int promptLength, int samples, boolean superResolve) {
        TransformerConfig c = models.config();
        MemoryEstimate stage1 = MemoryEstimate.stage1(c, Math.min(samples, CogLm.DEFAULT_MAX_BATCH), promptLength);
        if (!superResolve) {
            return stage1;
        }
        int batch = Math.min(samples, DirectSuperResolution.MAX_BATCH);
        return MemoryEstimate.largest(stage1,
                MemoryEstimate.forward("direct super-resolution, 4096 positions", c, batch, 4096),
                MemoryEstimate.forward("iterative super-resolution, 3616 positions", c, batch, 3616));
    }

    /** The ICE ids of the templated prompt, checked against CogLM's limit. */
    private int[] promptIds(String prompt, GenerationOptions options) {
        if (prompt == null || prompt.isBlank()) {
            throw new InvalidInputException("the prompt is empty; describe the picture to draw");
        }
        int[] ids = models.tokenizer().encode(options.style().apply(prompt.strip()));
        if (ids.length > LanguageModel.MAX_PROMPT_IDS) {
            throw new PromptTooLongException("The prompt (style template included)", ids.length, LanguageModel.MAX_PROMPT_IDS);
        }
        return ids;
    }

    /** Decodes grids of one side at compress rate 8, one at a time (each checks for cancellation). */
    List<RgbImage> decode(List<TokenGrid> grids, RunControl control) {
        List<RgbImage> out = new ArrayList<>();
        for (int i = 0; i < grids.size(); i++) {
            control.step(Stage.DECODE, i, grids.size());
            out.add(models.tokenizer().decodeImage(grids.get(i), 8));
        }
        control.listener().onProgress(Stage.DECODE, grids.size(), grids.size());
        return out;
    }

    /** {@code F.interpolate(size=(side, side))}, nearest. */
    static RgbImage resizeNearest(RgbImage image, int side) {
        PictureResize.Planes p = PictureResize.nearest(
                new PictureResize.Planes(image.width(), image.height(), image.planes(), false), side, side);
        return RgbImage.ofPlanes(side, side, p.values());
    }

    @Override
    public CompletionResult complete(String prompt, RgbImage image, CompletionBox box, GenerationOptions options) {
        return completion.complete(prompt, image, box, options);
    }

    @Override
    public Tokenizer tokenizer() {
        return models.tokenizer();
    }

    // The stage views lease their stage for each call, so they work under either StageResidency.

    @Override
    public LanguageModel languageModel() {
        return languageModel;
    }

    @Override
    public PostSelector postSelector() {
        return postSelector;
    }

    @Override
    public SuperResolver superResolver() {
        return superResolver;
    }

    @Override
    public Refiner refiner() {
        return refiner;
    }

    private LanguageModel languageModelView() {
        return (promptIds, sampling, count, seed, control) -> {
            try (var coglm = models.coglm(control.cancellation())) {
                return coglm.get().coglm().generate(promptIds, sampling, count, seed, control);
            }
        };
    }

    private PostSelector postSelectorView() {
        return (candidates, captionIds, control) -> {
            try (var coglm = models.coglm(control.cancellation())) {
                return coglm.get().postSelector().rank(candidates, captionIds, control);
            }
        };
    }

    private SuperResolver superResolverView() {
        return (textIds, lowResolution, sampling, seed, control) -> {
            try (var dsr = models.dsr(control.cancellation())) {
                return dsr.get().superResolve(textIds, lowResolution, sampling, seed, control);
            }
        };
    }

    private Refiner refinerView() {
        return new Refiner() {
            @Override
            public List<TokenGrid> refine(int[] textIds, List<TokenGrid> grids, boolean greedy, long seed, RunControl control) {
                try (var itersr = models.itersr(control.cancellation())) {
                    return itersr.get().refine(textIds, grids, greedy, seed, control);
                }
            }

            @Override
            public List<TokenGrid> refine(int[] textIds, List<TokenGrid> grids, boolean[] editable, boolean greedy, long seed,
                                          RunControl control) {
                try (var itersr = models.itersr(control.cancellation())) {
                    return itersr.get().refine(textIds, grids, editable, greedy, seed, control);
                }
            }
        };
    }

    @Override
    public PipelineInfo info() {
        return models.info();
    }

    @Override
    public void close() {
        models.close();
    }
}
