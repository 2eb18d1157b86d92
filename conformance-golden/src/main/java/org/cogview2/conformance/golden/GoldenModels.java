package org.cogview2.conformance.golden;

import org.cogview2.api.ModelNotFoundException;
import org.cogview2.checkpoint.SatModelFolder;
import org.cogview2.checkpoint.TransformerConfig;
import org.cogview2.models.sampling.ClusterTable;
import org.cogview2.models.transformer.SatCheckpoints;
import org.cogview2.models.transformer.SatModel;
import org.cogview2.tokenizer.icetk.IceTextTokenizer;
import org.cogview2.tokenizer.icetk.image.HierarchicalVqVae;

import java.nio.file.Files;
import java.nio.file.Path;

/** Loads the models of golden cases once per run, through the SDK's real loaders. */
final class GoldenModels {

    private GoldenModels() {
    }

    /**
     * CogLM's hyper-parameters: the SR models are built from them, their own {@code model_config.json} is never read
     * (the {@code coglm} folder beside the case's model folder).
     */
    static TransformerConfig coglmConfig(GoldenCase golden) {
        Path model = golden.model();
        Path coglm = model.getFileName().toString().startsWith("coglm") ? model : model.resolveSibling("coglm");
        return SatModelFolder.open(coglm).config();
    }

    static SatModel transformer(GoldenCase golden, GoldenContext context, SatCheckpoints.Extra kind) {
        Path folder = golden.model();
        return context.model("sat:" + folder, () ->
                SatModel.load(SatModelFolder.open(folder), coglmConfig(golden), context.backend(), kind));
    }

    static HierarchicalVqVae vqvae(GoldenCase golden, GoldenContext context) {
        Path file = golden.model().resolve("ice_image.pt");
        return context.model("vqvae:" + file, () -> HierarchicalVqVae.load(file, context.backend()));
    }

    static IceTextTokenizer text(Path modelFile, GoldenContext context) {
        return context.model("text:" + modelFile, () -> IceTextTokenizer.load(modelFile));
    }

    /** The official {@code cluster_label.npy}, in {@code data/} beside the golden folder. */
    static ClusterTable clusters(GoldenCase golden, GoldenContext context) {
        Path file = golden.root().resolveSibling("data").resolve("cluster_label.npy");
        if (!Files.isRegularFile(file)) {
            throw new ModelNotFoundException("cluster table not found at " + file);
        }
        return context.model("clusters:" + file, () -> ClusterTable.load(file));
    }
}
