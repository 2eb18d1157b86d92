package org.cogview2.models.pipeline;

import org.cogview2.api.CancellationToken;
import org.cogview2.api.CogView2;
import org.cogview2.api.CogView2Pipeline;
import org.cogview2.api.CompletionBox;
import org.cogview2.api.CompletionResult;
import org.cogview2.api.GeneratedImage;
import org.cogview2.api.GenerationCancelledException;
import org.cogview2.api.GenerationOptions;
import org.cogview2.api.GenerationResult;
import org.cogview2.api.InvalidInputException;
import org.cogview2.api.PipelineConfig;
import org.cogview2.api.PromptTooLongException;
import org.cogview2.api.RgbImage;
import org.cogview2.api.RunControl;
import org.cogview2.api.Stage;
import org.cogview2.api.StageResidency;
import org.cogview2.api.Style;
import org.cogview2.api.TokenGrid;
import org.cogview2.models.coglm.CogLm;
import org.cogview2.models.coglm.FillingSequence;
import org.cogview2.models.coglm.StepObserver;
import org.cogview2.models.coglm.TokenChooser;
import org.cogview2.models.completion.CompletionLayout;
import org.cogview2.models.completion.CompletionRegion;
import org.cogview2.models.sampling.DrawSource;
import org.cogview2.models.sr.IterativeSuperResolution;
import org.cogview2.api.DsrSampling;
import org.cogview2.models.demo.DemoModels;
import org.cogview2.models.sampling.ClusterTable;
import org.cogview2.spi.Backend;
import org.cogview2.spi.Backends;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicInteger;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The whole pipeline on the demo models and the CPU reference backend: the Java API, cancellation, concurrency. */
class PipelineTest {

    @TempDir
    static Path dir;
    static ModelSet models;
    static CogView2Pipeline pipeline;

    @BeforeAll
    static void load() {
        ModelSources sources = ModelSources.discover(DemoModels.ensure(dir.resolve("demo")), null);
        models = ModelSet.load(sources, Backends.discover().select("cpu-reference"), true);
        pipeline = new DefaultPipeline(models);
    }

    @AfterAll
    static void close() {
        pipeline.close();
    }

    private static GenerationOptions.Builder stage1(long seed, int samples) {
        return GenerationOptions.builder().seed(seed).samples(samples).firstStageOnly(true);
    }

    @Test
    void all_stages_write_480_pixel_pictures_with_their_tokens_and_timings() {
        List<Stage> seen = new ArrayList<>();
        GenerationResult result = pipeline.generate("a tiger wearing VR glasses",
                GenerationOptions.builder().samples(2).seed(7).listener((stage, done, total) -> {
                    if (seen.isEmpty() || seen.getLast() != stage) {
                        seen.add(stage);
                    }
                }).build());
        assertEquals(2, result.images().size());
        for (GeneratedImage image : result.images()) {
            assertEquals(480, image.image().width());
            assertEquals(480, image.image().height());
            assertEquals(20, image.coarse().side());
            assertEquals(60, image.fine().side());
        }
        assertEquals(List.of(Stage.GENERATE, Stage.SUPER_RESOLVE, Stage.REFINE, Stage.DECODE), seen);
        assertEquals(List.of(Stage.GENERATE, Stage.SUPER_RESOLVE, Stage.REFINE, Stage.DECODE),
                result.timings().stream().map(t -> t.stage()).toList());
        assertEquals(400, result.timings().getFirst().forwardPasses());

        // Two more runs of the same request at the same time give the same pictures, through every stage.
        ExecutorService pool = Executors.newFixedThreadPool(2);
        try {
            List<Future<GenerationResult>> again = new ArrayList<>();
            for (int i = 0; i < 2; i++) {
                again.add(pool.submit(() -> pipeline.generate("a tiger wearing VR glasses",
                        GenerationOptions.builder().samples(2).seed(7).build())));
            }
            for (Future<GenerationResult> f : again) {
                GenerationResult other = f.get();
                for (int i = 0; i < 2; i++) {
                    assertEquals(result.images().get(i).fine(), other.images().get(i).fine());
                    assertArrayEquals(result.images().get(i).image().planes(), other.images().get(i).image().planes());
                }
            }
        } catch (Exception e) {
            throw new AssertionError(e);
        } finally {
            pool.shutdownNow();
        }
    }

    @Test
    void one_stage_residency_gives_the_same_pictures_with_one_model_in_memory_at_a_time() {
        ModelSources sources = ModelSources.discover(dir.resolve("demo"), null);
        GenerationOptions options = GenerationOptions.builder().samples(1).seed(5).build();
        GenerationResult all;
        try (ModelSet set = ModelSet.load(sources, Backends.discover().select("cpu-reference"), true)) {
            assertEquals(List.of(true, true, true), set.loadedStages());
            all = new DefaultPipeline(set).generate("a lighthouse", options);
        }
        try (ModelSet set = ModelSet.load(sources, Backends.discover().select("cpu-reference"), true, StageResidency.ONE_STAGE)) {
            assertEquals(List.of(false, false, false), set.loadedStages(), "nothing is uploaded before a stage runs");
            GenerationResult one = new DefaultPipeline(set).generate("a lighthouse", options);
            assertEquals(List.of(false, false, true), set.loadedStages(), "only the last stage used stays loaded");
            assertEquals(all.images().getFirst().fine(), one.images().getFirst().fine());
            assertArrayEquals(all.images().getFirst().image().planes(), one.images().getFirst().image().planes());
        }
    }

    @Test
    void the_same_seed_gives_the_same_images_and_another_seed_others() {
        GenerationResult a = pipeline.generate("a red house", stage1(11, 1).build());
        GenerationResult b = pipeline.generate("a red house", stage1(11, 1).build());
        GenerationResult c = pipeline.generate("a red house", stage1(12, 1).build());
        assertEquals(a.images().getFirst().coarse(), b.images().getFirst().coarse());
        assertArrayEquals(a.images().getFirst().image().planes(), b.images().getFirst().image().planes());
        assertNotEquals(a.images().getFirst().coarse(), c.images().getFirst().coarse());
        assertNull(a.images().getFirst().fine());
    }

    @Test
    void samples_do_not_depend_on_how_they_are_batched() {
        ClusterTable clusters = ClusterTable.load(dir.resolve("demo").resolve(ModelSources.CLUSTER_TABLE));
        try (var coglm = models.coglm(CancellationToken.create())) {
            int soi = coglm.get().coglm().startOfImage();
            int[] ids = pipeline.tokenizer().encode(Style.MAINBODY.apply("a cat"));
            CogLm oneAtATime = new CogLm(coglm.get().coglm().transformer(), models.backend(), clusters, soi, 1);
            CogLm allAtOnce = new CogLm(coglm.get().coglm().transformer(), models.backend(), clusters, soi, 8);
            List<TokenGrid> a = oneAtATime.generate(ids, Style.MAINBODY.stage1Sampling(), 3, 99L, RunControl.none());
            List<TokenGrid> b = allAtOnce.generate(ids, Style.MAINBODY.stage1Sampling(), 3, 99L, RunControl.none());
            assertEquals(a, b);
            assertNotEquals(a.get(0), a.get(1), "samples of one request differ");
        }
    }

    @Test
    void post_selection_orders_samples_best_first() {
        GenerationResult result = pipeline.generate("a blue car", stage1(3, 3).postSelect(true).build());
        int[] caption = pipeline.tokenizer().encode("a blue car");
        double previous = Double.POSITIVE_INFINITY;
        for (GeneratedImage image : result.images()) {
            double score = image.score().orElseThrow();
            assertTrue(score <= previous, "scores must be descending");
            previous = score;
            // Each picture carries its own score: the mean caption log-probability of that picture's tokens, scored
            // alone, and a log-probability (negative, finite).
            try (var coglm = models.coglm(CancellationToken.create())) {
                float[] logProbs = coglm.get().postSelector().captionLogProbabilities(image.coarse().ids(), caption);
                double mean = 0;
                for (float g : logProbs) {
                    assertTrue(g < 0 && Float.isFinite(g), "log-probability " + g);
                    mean += g;
                }
                assertEquals((float) (mean / logProbs.length), (float) score, "score of the picture ranked here");
            }
        }
        assertNotEquals(result.images().get(0).score(), result.images().get(2).score());
        assertTrue(result.timings().stream().anyMatch(t -> t.stage() == Stage.POST_SELECT));
    }

    @Test
    void stage_one_draws_the_same_tokens_on_the_backend_as_on_the_host() {
        try (var coglm = models.coglm(CancellationToken.create())) {
            int[] ids = pipeline.tokenizer().encode(Style.MAINBODY.apply("a red kite"));
            DrawSource seeded = DrawSource.seeded(5, 1);
            DrawSource hostOnly = seeded::draw;
            List<TokenGrid> onBackend = coglm.get().coglm().generate(ids, Style.MAINBODY.stage1Sampling(), 3, seeded,
                    RunControl.none());
            List<TokenGrid> onHost = coglm.get().coglm().generate(ids, Style.MAINBODY.stage1Sampling(), 3, hostOnly,
                    RunControl.none());
            assertEquals(onHost, onBackend);
            assertNotEquals(onBackend.get(0), onBackend.get(1), "samples of one request differ");
        }
    }

    @Test
    void super_resolution_draws_the_same_ids_on_the_backend_as_on_the_host() {
        int[] text = pipeline.tokenizer().encode("a lighthouse");
        int[] low = new int[400];
        for (int i = 0; i < low.length; i++) {
            low[i] = (i * 131) % 8192;
        }
        DrawSource seeded = DrawSource.seeded(9, 2);
        // The same draws without rows(): only the host can make them, so the stages read logits back.
        DrawSource hostOnly = seeded::draw;
        List<TokenGrid> direct;
        try (var dsr = models.dsr(CancellationToken.create())) {
            DsrSampling sampling = DsrSampling.clusters(100, 0.89f);
            direct = dsr.get().superResolve(text, List.of(TokenGrid.of(20, low)), sampling, seeded, RunControl.none(), null);
            List<TokenGrid> onHost = dsr.get().superResolve(text, List.of(TokenGrid.of(20, low)), sampling, seeded,
                    RunControl.none(), choice -> { });
            assertEquals(onHost, direct);
        }
        try (var itersr = models.itersr(CancellationToken.create())) {
            List<TokenGrid> onBackend = itersr.get().refine(text, direct, null, seeded, RunControl.none(),
                    IterativeSuperResolution.PassObserver.NONE);
            List<TokenGrid> onHost = itersr.get().refine(text, direct, null, hostOnly, RunControl.none(),
                    IterativeSuperResolution.PassObserver.NONE);
            assertEquals(onHost, onBackend);
            assertNotEquals(direct, onBackend, "refinement changed cells");
        }
    }

    @Test
    void cancellation_stops_within_a_step_and_frees_the_backend_memory() {
        Backend backend = models.backend();
        long before = backend.memoryStats().liveTensors();
        CancellationToken token = CancellationToken.create();
        AtomicInteger steps = new AtomicInteger();
        GenerationOptions options = GenerationOptions.builder().samples(2).seed(5).cancellation(token)
                .listener((stage, done, total) -> {
                    if (steps.incrementAndGet() == 20) {
                        token.cancel();
                    }
                }).build();
        assertThrows(GenerationCancelledException.class, () -> pipeline.generate("a cat", options));
        assertTrue(steps.get() <= 21, "cancelled within one step, saw " + steps.get());
        assertEquals(before, backend.memoryStats().liveTensors(), "every tensor of the run was released");
    }

    @Test
    void eight_concurrent_generations_match_sequential_ones() throws Exception {
        String[] prompts = {"a cat", "a dog", "a tree", "a river", "a man", "a car", "the sky", "a red flower"};
        List<int[]> sequential = new ArrayList<>();
        for (int i = 0; i < prompts.length; i++) {
            sequential.add(pipeline.generate(prompts[i], stage1(100 + i, 1).build()).images().getFirst().coarse().ids());
        }
        ExecutorService pool = Executors.newFixedThreadPool(8);
        try {
            List<Future<int[]>> futures = new ArrayList<>();
            java.util.concurrent.CountDownLatch start = new java.util.concurrent.CountDownLatch(1);
            for (int i = 0; i < prompts.length; i++) {
                int k = i;
                futures.add(pool.submit(() -> {
                    start.await();
                    return pipeline.generate(prompts[k], stage1(100 + k, 1).build()).images().getFirst().coarse().ids();
                }));
            }
            start.countDown();
            for (int i = 0; i < prompts.length; i++) {
                assertArrayEquals(sequential.get(i), futures.get(i).get(), "prompt " + i);
            }
        } finally {
            pool.shutdownNow();
        }
    }

    @Test
    void a_prompt_too_long_for_super_resolution_fails_before_stage_one() {
        String longPrompt = "tiger ".repeat(100); // about 109 ids with the template: fine for CogLM, not for DSR
        AtomicInteger progress = new AtomicInteger();
        PromptTooLongException e = assertThrows(PromptTooLongException.class, () -> pipeline.generate(longPrompt,
                GenerationOptions.builder().listener((s, d, t) -> progress.incrementAndGet()).build()));
        assertEquals(0, progress.get(), "nothing ran");
        assertTrue(e.getMessage().contains(Integer.toString(e.idCount())), e.getMessage());
        assertThrows(PromptTooLongException.class, () -> pipeline.generate("tiger ".repeat(200), stage1(1, 1).build()));
        assertThrows(InvalidInputException.class, () -> pipeline.generate("   ", stage1(1, 1).build()));
        assertThrows(InvalidInputException.class, () -> pipeline.generate("", stage1(1, 1).build()));
        PromptTooLongException huge = assertThrows(PromptTooLongException.class,
                () -> pipeline.generate("x".repeat(100_000), stage1(1, 1).build()));
        assertTrue(huge.idCount() > 110, huge.getMessage());
    }

    @Test
    void unpaired_surrogates_and_control_characters_in_a_prompt_are_tokenized_not_fatal() {
        GenerationResult r = pipeline.generate("a \uD800 cat\u0007", stage1(1, 1).build());
        assertEquals(1, r.images().size());
    }

    /** A picture of repeating colour ramps ({@code step} levels apart from one value to the next). */
    private static RgbImage stripes(int width, int height, int step) {
        float[] planes = new float[3 * width * height];
        for (int i = 0; i < planes.length; i++) {
            planes[i] = ((i * step) % 255) / 255f;
        }
        return RgbImage.ofPlanes(width, height, planes);
    }

    @Test
    void completion_redraws_a_box_of_a_picture() {
        RgbImage picture = stripes(200, 300, 7);
        CompletionResult small = pipeline.complete("a cat", picture, new CompletionBox(0.4, 0.4, 0.55, 0.55),
                GenerationOptions.builder().style(Style.NONE).samples(1).seed(1).build());
        assertEquals(1, small.images().size());
        assertEquals(480, small.images().getFirst().width());
        assertTrue(small.timings().stream().noneMatch(t -> t.stage() == Stage.SUPER_RESOLVE), "a crop of at most 160 pixels skips SR");
        CompletionResult large = pipeline.complete("a cat", picture, new CompletionBox(0.2, 0.2, 0.7, 0.7),
                GenerationOptions.builder().style(Style.NONE).samples(1).seed(1).build());
        assertTrue(large.timings().stream().anyMatch(t -> t.stage() == Stage.REFINE));
        // The box was redrawn: the result is not the blending round trip of the picture alone.
        var square = CompletionPipeline.toSquare480(picture);
        RgbImage unchanged = models.imageTokenizer().decode(models.imageTokenizer().encode(
                RgbImage.ofPlanes(480, 480, square.values()), 8), 8);
        assertFalse(Arrays.equals(unchanged.planes(), large.images().getFirst().planes()),
                "completion changed nothing");
    }

    @Test
    void completion_samples_do_not_depend_on_how_many_are_drawn() {
        RgbImage picture = stripes(200, 300, 7);
        CompletionBox box = new CompletionBox(0.4, 0.4, 0.55, 0.55);
        CompletionResult one = pipeline.complete("a cat", picture, box,
                GenerationOptions.builder().style(Style.NONE).samples(1).seed(5).build());
        CompletionResult three = pipeline.complete("a cat", picture, box,
                GenerationOptions.builder().style(Style.NONE).samples(3).seed(5).build());
        assertArrayEquals(one.images().getFirst().planes(), three.images().getFirst().planes(),
                "sample 0 of a request for 3 samples is sample 0 of a request for 1");
        assertFalse(Arrays.equals(three.images().get(0).planes(), three.images().get(1).planes()),
                "the samples of one request differ");
    }

    @Test
    void completion_keeps_every_token_outside_the_box_and_redraws_inside() {
        int[] text = pipeline.tokenizer().encode("a cat");
        int[] image = new int[400];
        for (int i = 0; i < image.length; i++) {
            image[i] = (i * 37) % 20000;
        }
        boolean[] masked = new boolean[400];
        for (int r = 5; r < 12; r++) {
            for (int c = 8; c < 15; c++) {
                masked[r * 20 + c] = true;
            }
        }
        try (var coglm = models.coglm(CancellationToken.create())) {
            int soi = coglm.get().coglm().startOfImage();
            CompletionLayout layout = CompletionLayout.of(text, soi, image, masked, 1.4f);
            FillingSequence filling = new FillingSequence(coglm.get().coglm().transformer(), models.backend());
            TokenChooser chooser = coglm.get().coglm().chooser(Style.NONE.stage1Sampling(), DrawSource.seeded(3, 1));
            int[][] filled = filling.fill(layout.sequence(), layout, 0, 2, chooser, RunControl.none(), Stage.GENERATE,
                    StepObserver.NONE);
            int redrawn = 0;
            for (int[] row : filled) {
                int[] grid = layout.grid(row);
                for (int i = 0; i < 400; i++) {
                    if (!masked[i]) {
                        assertEquals(image[i], grid[i], "cell " + i + " outside the box changed");
                    } else if (grid[i] != image[i]) {
                        redrawn++;
                    }
                }
            }
            assertTrue(redrawn > 40, "only " + redrawn + " of 98 masked cells were redrawn");
        }
    }

    @Test
    void the_generated_crop_replaces_only_the_crop_region_before_blending() {
        CompletionRegion region = CompletionRegion.of(new CompletionBox(0.2, 0.3, 0.5, 0.6));
        float[] square = stripes(480, 480, 11).planes();
        int size = region.cropSize();
        float[] crop = new float[3 * size * size];
        Arrays.fill(crop, -1f);
        float[] pasted = CompletionPipeline.pasted(square, RgbImage.ofPlanes(size, size, crop), region).planes();
        int inside = 0;
        for (int c = 0; c < 3; c++) {
            for (int y = 0; y < 480; y++) {
                for (int x = 0; x < 480; x++) {
                    int i = (c * 480 + y) * 480 + x;
                    boolean inCrop = y >= region.cropTop() && y < region.cropTop() + size
                            && x >= region.cropLeft() && x < region.cropLeft() + size;
                    if (inCrop) {
                        assertEquals(-1f, pasted[i]);
                        inside++;
                    } else {
                        assertEquals(square[i], pasted[i], "pixel " + x + "," + y + " outside the crop changed");
                    }
                }
            }
        }
        assertEquals(3 * size * size, inside);
    }

    @Test
    void completion_uses_the_given_text_bias() {
        RgbImage picture = stripes(160, 160, 13);
        CompletionBox box = new CompletionBox(0.4, 0.4, 0.6, 0.6);
        GenerationOptions.Builder base = GenerationOptions.builder().style(Style.NONE).seed(5);
        CompletionResult one = pipeline.complete("a cat", picture, box, base.samples(1).build());
        CompletionResult unbiased = pipeline.complete("a cat", picture, box, base.samples(1)
                .stage1Sampling(Style.NONE.stage1Sampling().withTextBias(0f)).build());
        assertFalse(Arrays.equals(one.images().getFirst().planes(), unbiased.images().getFirst().planes()),
                "the text bias reaches stage 1 of completion");
    }

    @Test
    void the_api_entry_point_finds_this_implementation(@TempDir Path other) {
        Path demo = other.resolve("demo");
        DemoModels.ensure(demo);
        try (CogView2Pipeline p = CogView2.open(PipelineConfig.models(demo).withBackend("cpu-reference"))) {
            assertEquals("cpu-reference", p.info().backend());
            // the tokenizer found through the api is the one of these files: its ids are the embedding rows
            assertEquals(org.cogview2.models.demo.DemoModelsConfig.transformer().vocabSize(), p.tokenizer().vocabularySize());
            assertTrue(Arrays.stream(p.tokenizer().encode("hello")).allMatch(id -> id >= 20000));
        }
        // A backend that cannot be had is an error of the api's own hierarchy, for the pipeline and the tokenizer.
        PipelineConfig nowhere = PipelineConfig.models(demo).withBackend("no-such-backend");
        for (org.junit.jupiter.api.function.Executable open : List.<org.junit.jupiter.api.function.Executable>of(
                () -> CogView2.open(nowhere), () -> CogView2.openTokenizer(nowhere))) {
            org.cogview2.api.CogView2Exception e = assertThrows(org.cogview2.api.BackendUnavailableException.class, open);
            assertTrue(e.getMessage().contains("no-such-backend"), e.getMessage());
            assertInstanceOf(org.cogview2.spi.BackendException.class, e.getCause());
        }
    }
}
