package org.cogview2.models.pipeline;

import org.cogview2.api.GeneratedImage;
import org.cogview2.api.GenerationOptions;
import org.cogview2.api.GenerationResult;
import org.cogview2.api.ScoredSample;
import org.cogview2.api.TokenGrid;
import org.cogview2.checkpoint.testing.ReleasedFileVariants;
import org.cogview2.checkpoint.testing.ReleasedFileVariants.Variant;
import org.cogview2.models.demo.DemoModels;
import org.cogview2.spi.Backends;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * The model files as a training run leaves them (SAT/DeepSpeed training state beside {@code module}, the legacy
 * {@code torch.save} format, both) give the same pictures, bit for bit, as the plain files.
 */
class ReleasedFileVariantsTest {

    @TempDir
    static Path dir;

    private static final List<String> SAT = List.of("coglm", "cogview2-dsr", "cogview2-itersr");

    /** The demo set with every checkpoint (the three SAT folders and {@code ice_image.pt}) rewritten as {@code v}. */
    private static Path variantOf(Path demo, Variant v) throws IOException {
        Path home = dir.resolve(v.name());
        for (String name : SAT) {
            ReleasedFileVariants.copySatFolder(demo.resolve(name), home.resolve(name), v);
        }
        Files.createDirectories(home.resolve("icetk"));
        Files.copy(demo.resolve("icetk").resolve("ice_text.model"), home.resolve("icetk").resolve("ice_text.model"));
        ReleasedFileVariants.rewrite(demo.resolve("icetk").resolve("ice_image.pt"), home.resolve("icetk").resolve("ice_image.pt"), v);
        Files.copy(demo.resolve(ModelSources.CLUSTER_TABLE), home.resolve(ModelSources.CLUSTER_TABLE));
        return home;
    }

    /** With post-selection, so every checkpoint is read: CogLM (twice), DSR, iterative SR and the image codec. */
    private static GenerationResult generate(Path home, String prompt, int samples, boolean firstStageOnly) {
        ModelSources sources = ModelSources.discover(home, null);
        try (DefaultPipeline pipeline = new DefaultPipeline(ModelSet.load(sources, Backends.discover().select("cpu-reference"), true))) {
            return pipeline.generate(prompt, GenerationOptions.builder().samples(samples).seed(11).postSelect(true)
                    .firstStageOnly(firstStageOnly).build());
        }
    }

    /**
     * All stages on the variant that combines both (legacy format with training state); stage 1, post-selection and
     * decoding on the others (super-resolution on the reference backend is the slow part).
     */
    @Test
    void every_file_variant_generates_the_pictures_of_the_plain_files() throws IOException {
        Path demo = DemoModels.ensure(dir.resolve("demo"));
        for (boolean firstStageOnly : new boolean[]{false, true}) {
            GenerationResult want = generate(demo, "a tiger wearing VR glasses", 1, firstStageOnly);
            List<Variant> variants = firstStageOnly ? List.of(Variant.TRAINING_STATE, Variant.LEGACY)
                    : List.of(Variant.LEGACY_TRAINING_STATE);
            for (Variant v : variants) {
                Path home = Files.isDirectory(dir.resolve(v.name())) ? dir.resolve(v.name()) : variantOf(demo, v);
                GenerationResult got = generate(home, "a tiger wearing VR glasses", 1, firstStageOnly);
                assertEquals(want.images().size(), got.images().size());
                for (int i = 0; i < want.images().size(); i++) {
                    GeneratedImage a = want.images().get(i);
                    GeneratedImage b = got.images().get(i);
                    assertEquals(a.sample(), b.sample(), v + " sample order");
                    assertEquals(a.score(), b.score(), v + " post-selection score");
                    assertArrayEquals(a.coarse().ids(), b.coarse().ids(), v + " stage-1 tokens");
                    if (!firstStageOnly) {
                        assertArrayEquals(a.fine().ids(), b.fine().ids(), v + " super-resolved tokens");
                    }
                    assertArrayEquals(a.image().planes(), b.image().planes(), v + " pixels");
                }
            }
        }
    }

    /** Post-selection scores the caption stage 1 read: the prompt stripped, without the style template. */
    @Test
    void post_selection_scores_the_stripped_caption() {
        Path demo = DemoModels.ensure(dir.resolve("demo"));
        String prompt = " \t a red apple on a table \n";
        GenerationResult result = generate(demo, prompt, 3, true);
        ModelSources sources = ModelSources.discover(demo, null);
        try (DefaultPipeline pipeline = new DefaultPipeline(ModelSet.load(sources, Backends.discover().select("cpu-reference"), true))) {
            List<TokenGrid> coarse = result.images().stream().sorted(java.util.Comparator.comparingInt(GeneratedImage::sample))
                    .map(GeneratedImage::coarse).toList();
            int[] caption = pipeline.tokenizer().encode(prompt.strip());
            List<ScoredSample> ranked = pipeline.postSelector().rank(coarse, caption, GenerationOptions.defaults().control());
            for (int i = 0; i < ranked.size(); i++) {
                assertEquals(ranked.get(i).index(), result.images().get(i).sample());
                assertEquals(ranked.get(i).score(), result.images().get(i).score().orElseThrow(), 0.0);
            }
        }
    }
}
