package org.cogview2.conformance.golden;

import org.cogview2.conformance.ComparisonResult;
import org.cogview2.tokenizer.icetk.image.HierarchicalVqVae;
import org.cogview2.tokenizer.icetk.image.ImageNormalization;

import java.util.List;

/** {@code pipeline}: the end of text-to-image: a 60x60 grid decoded at compress rate 8 to a 480x480 picture. */
final class PipelineKind implements GoldenKind {

    @Override
    public String kind() {
        return "pipeline";
    }

    @Override
    public List<ComparisonResult> run(GoldenCase golden, GoldenContext context) {
        HierarchicalVqVae vq = GoldenModels.vqvae(golden, context);
        int level = HierarchicalVqVae.level(golden.params().path("compress_rate").asInt(8));
        int[] ids = golden.ints("ids");
        int side = (int) Math.round(Math.sqrt(ids.length));
        int pixels = side * (1 << (level + 2));
        float[] image = ImageNormalization.denormalize(vq.decode(ids, 1, side, level), pixels * pixels);
        return List.of(HostArrays.compare(golden, "image", image, golden.tolerance("image", ImageTokenizerKind.IMAGES)));
    }
}
