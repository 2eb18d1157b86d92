package org.cogview2.models.golden;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.cogview2.api.CoglmSampling;
import org.cogview2.api.DsrSampling;
import org.cogview2.api.RunControl;
import org.cogview2.api.TokenGrid;
import org.cogview2.checkpoint.SatModelFolder;
import org.cogview2.checkpoint.TransformerConfig;
import org.cogview2.checkpoint.npy.NpyArray;
import org.cogview2.checkpoint.testing.SharedTestData;
import org.cogview2.models.coglm.CogLm;
import org.cogview2.models.sampling.ClusterTable;
import org.cogview2.models.sampling.DrawSource;
import org.cogview2.models.sr.DirectSuperResolution;
import org.cogview2.models.sr.IterativeSuperResolution;
import org.cogview2.models.transformer.SatCheckpoints;
import org.cogview2.models.transformer.SatModel;
import org.cogview2.spi.Backend;
import org.cogview2.spi.Backends;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.util.Arrays;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;

/**
 * The three transformer stages against the tokens the official code recorded, run here, in the module that owns the
 * stages, through their own code paths (sampling on the backend, mode draws) on the reference backend: a change to
 * CogLM, direct or iterative super-resolution that departs from the official release fails this module's build, not
 * only the certification kit's ({@code conformance-golden} replays every recorded array of these cases on any
 * backend). Skipped without the golden folder, or failing when {@code COGVIEW2_REQUIRE_GOLDEN} is set.
 */
class OfficialStagesGoldenTest {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static Backend backend;
    private static TransformerConfig config;

    @BeforeAll
    static void open() {
        backend = Backends.discover().select("cpu-reference");
        config = SatModelFolder.open(SharedTestData.model("sat/coglm")).config();
    }

    @AfterAll
    static void close() {
        if (backend != null) {
            backend.close();
        }
    }

    private static JsonNode params(String caseName) {
        try {
            return JSON.readTree(SharedTestData.golden(caseName).resolve("case.json").toFile()).path("params");
        } catch (IOException e) {
            throw new AssertionError("cannot read the case of " + caseName, e);
        }
    }

    private static int[] ints(String caseName, String file) {
        return Arrays.stream(NpyArray.read(SharedTestData.golden(caseName).resolve(file)).toLongs())
                .mapToInt(Math::toIntExact).toArray();
    }

    private static SatModel model(String folder, SatCheckpoints.Extra kind) {
        return SatModel.load(SatModelFolder.open(SharedTestData.model(folder)), config, backend, kind);
    }

    private static ClusterTable clusters() {
        return ClusterTable.load(SharedTestData.root().resolve("data").resolve(ClusterTable.FILE_NAME));
    }

    @Test
    void stage_one_with_the_cluster_strategy_at_its_mode_writes_the_official_tokens() {
        String c = "coglm_generate_coglmstrategy_mode";
        JsonNode p = params(c);
        JsonNode recipe = p.path("recipe");
        int[] seq = ints(c, "seq.npy");
        int[] prompt = Arrays.copyOf(seq, p.path("txt_len").asInt() + 1);
        CoglmSampling sampling = new CoglmSampling((float) recipe.path("temp_all_gen").asDouble(),
                recipe.path("topk_gen").asInt(), (float) recipe.path("temp_cluster_gen").asDouble(), false,
                (float) p.path("attn_plus").asDouble());
        try (SatModel coglm = model("sat/coglm", SatCheckpoints.Extra.NONE)) {
            CogLm stage1 = new CogLm(coglm.transformer(), backend, clusters(), p.path("soi").asInt(), 1);
            List<TokenGrid> out = stage1.generate(prompt, sampling, 1, DrawSource.mode(), RunControl.none());
            int[] recorded = ints(c, "tokens.npy");
            assertArrayEquals(Arrays.copyOfRange(recorded, prompt.length, recorded.length), out.getFirst().ids());
        }
    }

    @Test
    void direct_super_resolution_at_its_mode_writes_the_official_tokens() {
        String c = "dsr";
        JsonNode p = params(c);
        try (SatModel dsrModel = model("sat/cogview2-dsr", SatCheckpoints.Extra.DSR)) {
            DirectSuperResolution dsr = new DirectSuperResolution(dsrModel.transformer(), dsrModel.extra(), backend,
                    clusters(), p.path("soi").asInt());
            DsrSampling sampling = DsrSampling.greedy(p.path("topk_dsr").asInt(), (float) p.path("temp_cluster_dsr").asDouble());
            List<TokenGrid> out = dsr.superResolve(ints(c, "text_ids.npy"), List.of(TokenGrid.of(20, ints(c, "image_ids.npy"))),
                    sampling, 0, RunControl.none());
            assertArrayEquals(ints(c, "tokens.npy"), out.getFirst().ids());
        }
    }

    @Test
    void iterative_super_resolution_at_its_mode_writes_the_official_tokens() {
        String c = "itersr";
        JsonNode p = params(c);
        try (SatModel itersrModel = model("sat/cogview2-itersr", SatCheckpoints.Extra.ITERSR)) {
            IterativeSuperResolution itersr = new IterativeSuperResolution(itersrModel.transformer(), itersrModel.extra(),
                    backend, p.path("soi").asInt());
            List<TokenGrid> out = itersr.refine(ints(c, "text_ids.npy"), List.of(TokenGrid.of(60, ints(c, "image_ids.npy"))),
                    true, 0, RunControl.none());
            assertArrayEquals(ints(c, "tokens.npy"), out.getFirst().ids());
        }
    }
}
