package org.cogview2.libtorch;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import org.cogview2.libtorch.LibtorchVqVaeBlocks.AttnBlock;
import org.cogview2.libtorch.LibtorchVqVaeBlocks.Conv;
import org.cogview2.libtorch.LibtorchVqVaeBlocks.GroupNorm;
import org.cogview2.libtorch.LibtorchVqVaeBlocks.ResnetBlock;
import org.cogview2.libtorch.LibtorchVqVaeBlocks.Weights;

import java.util.ArrayList;
import java.util.List;

/**
 * icetk's hierarchical VQ-VAE ({@code HVQVAE}, spec 01 §2) in libtorch through DJL: one encoder, residual
 * down-samplers, the vector quantiser's projection and codebook, and one decoder per level, over parameters named
 * as in {@code ice_image.pt}. Level {@code l} (compress rate {@code 2^(l+2)}: 4, 8, 16) encodes through the encoder
 * and {@code l} down-samplers and decodes with decoder {@code decs.<levels-1-l>}; CogView2 uses level 1.
 *
 * <p>The same graph is the trainer's (autograd runs through it) and the bench's (see {@link LibtorchVqVae}); the
 * structure (levels, blocks, attention placement) is read off which parameter names exist, as our own
 * {@code HierarchicalVqVae} does. Inputs are normalised pictures {@code [B, 3, H, W]}. Thread-safe.
 */
public final class LibtorchHvqvae {

    /** One resolution level: ResNet blocks, their attention blocks (null where absent), the resampling conv or null. */
    private record Level(List<ResnetBlock> blocks, List<AttnBlock> attentions, Conv resample) {
    }

    /** icetk's Encoder or Decoder. */
    private record Coder(Conv convIn, List<Level> levels, boolean upsampling, ResnetBlock mid1, AttnBlock midAttention,
                         ResnetBlock mid2, GroupNorm normOut, Conv convOut) {

        NDArray forward(NDArray x) {
            NDArray h = convIn.apply(x);
            if (upsampling) {
                h = middle(h);
            }
            for (Level level : levels) {
                for (int j = 0; j < level.blocks().size(); j++) {
                    h = replace(h, level.blocks().get(j).apply(h));
                    if (level.attentions().get(j) != null) {
                        h = replace(h, level.attentions().get(j).apply(h));
                    }
                }
                if (level.resample() != null) {
                    h = replace(h, upsampling ? LibtorchVqVaeBlocks.upsample(level.resample(), h) : level.resample().downsample(h));
                }
            }
            if (!upsampling) {
                h = middle(h);
            }
            try (NDArray last = h; NDArray a = normOut.swish(last)) {
                return convOut.apply(a);
            }
        }

        private NDArray middle(NDArray h) {
            h = replace(h, mid1.apply(h));
            h = replace(h, midAttention.apply(h));
            return replace(h, mid2.apply(h));
        }
    }

    private final Coder encoder;
    private final List<Coder> decoders;
    private final List<Conv> downSamplers;
    private final Conv projection;
    private final LibtorchParams params;

    /** Builds the graph over {@code params} (which stay owned by the caller). */
    public LibtorchHvqvae(LibtorchParams params) {
        this.params = params;
        Weights w = new Weights(params);
        encoder = coder(w, "enc", false);
        List<Coder> decs = new ArrayList<>();
        for (int i = 0; w.has("decs." + i + ".conv_in.weight"); i++) {
            decs.add(coder(w, "decs." + i, true));
        }
        if (decs.isEmpty()) {
            throw new IllegalArgumentException("no decoder (decs.0.conv_in.weight) among the parameters");
        }
        decoders = List.copyOf(decs);
        List<Conv> downs = new ArrayList<>();
        for (int i = 0; w.has("down_samplers." + i + ".conv_down_sampler.conv.weight"); i++) {
            downs.add(w.conv("down_samplers." + i + ".conv_down_sampler.conv"));
        }
        downSamplers = List.copyOf(downs);
        projection = w.conv("quantize.proj");
    }

    private static Coder coder(Weights w, String prefix, boolean upsampling) {
        String levelKey = upsampling ? ".up." : ".down.";
        String resample = upsampling ? "upsample.conv" : "downsample.conv";
        int n = 0;
        while (w.has(prefix + levelKey + n + ".block.0.conv1.weight")) {
            n++;
        }
        if (n == 0) {
            throw new IllegalArgumentException("no levels under " + prefix + levelKey + "0");
        }
        List<Level> levels = new ArrayList<>();
        for (int step = 0; step < n; step++) {
            int i = upsampling ? n - 1 - step : step;
            String p = prefix + levelKey + i;
            List<ResnetBlock> blocks = w.resnets(p + ".block");
            List<AttnBlock> attentions = new ArrayList<>();
            for (int j = 0; j < blocks.size(); j++) {
                attentions.add(w.has(p + ".attn." + j + ".norm.weight") ? w.attention(p + ".attn." + j) : null);
            }
            Conv conv = w.has(p + "." + resample + ".weight") ? w.conv(p + "." + resample) : null;
            levels.add(new Level(List.copyOf(blocks), java.util.Collections.unmodifiableList(attentions), conv));
        }
        return new Coder(w.conv(prefix + ".conv_in"), List.copyOf(levels), upsampling, w.resnet(prefix + ".mid.block_1"),
                w.attention(prefix + ".mid.attn_1"), w.resnet(prefix + ".mid.block_2"), w.norm(prefix + ".norm_out"),
                w.conv(prefix + ".conv_out"));
    }

    /** Number of levels (decoders). */
    public int levels() {
        return decoders.size();
    }

    /** Output pixels per code along each side at {@code level}: {@code 2^(level+2)} in icetk's layouts. */
    public static int compressRate(int level) {
        return 4 << level;
    }

    /** What the decoder of {@code level} up-samples by: {@code 2^(its levels - 1)} (its compress rate in icetk's layouts). */
    public int upscale(int level) {
        checkLevel(level);
        return 1 << (decoders.get(levels() - 1 - level).levels().size() - 1);
    }

    /** The encoder followed by {@code level} residual down-samplers: {@code [B, z, H/r, W/r]}. */
    public NDArray latent(NDArray pictures, int level) {
        checkLevel(level);
        if (level > downSamplers.size()) {
            throw new IllegalArgumentException("level " + level + " needs " + level + " down-samplers, the model has " + downSamplers.size());
        }
        NDArray h = encoder.forward(pictures);
        for (int i = 0; i < level; i++) {
            h = replace(h, LibtorchVqVaeBlocks.residualDownSample(downSamplers.get(i), h));
        }
        return h;
    }

    /** {@code quantize.proj}: the latent in code space {@code [B, D, h, w]}. */
    public NDArray project(NDArray latent) {
        return projection.apply(latent);
    }

    /**
     * The nearest code of every position of {@code projected [B, D, h, w]} by squared Euclidean distance (ties: the
     * lowest id, as {@code argmin} takes): int64 {@code [B*h*w]} in raster order. No gradient flows through it.
     */
    public NDArray nearestCodes(NDArray projected) {
        Shape s = projected.getShape();
        NDArray codebook = params.get("quantize.embed.weight");
        try (NDArray planar = projected.stopGradient(); NDArray nhwc = planar.transpose(0, 2, 3, 1);
             NDArray rows = nhwc.reshape(-1, s.get(1)); NDArray codes = codebook.stopGradient();
             NDArray codeNorms = codes.square().sum(new int[] {1}); NDArray dot = rows.matMul(codes.transpose());
             NDArray scaled = dot.mul(-2f); NDArray distance = scaled.addi(codeNorms.reshape(1, -1))) {
            // |x|^2 is the same for every code of a row, so it does not change the argmin and is left out.
            return distance.argMin(1);
        }
    }

    /** Codebook rows of int64 {@code ids [B, h, w]} as decoder input {@code [B, D, h, w]}. */
    public NDArray embed(NDArray ids) {
        NDArray codebook = params.get("quantize.embed.weight");
        try (NDArray rows = LibtorchOps.embedding(ids.toType(DataType.INT64, false), codebook)) {
            return rows.transpose(0, 3, 1, 2);
        }
    }

    /** Decoder {@code decs.<levels-1-level>} on codes {@code [B, D, h, w]}: normalised pictures {@code [B, 3, H, W]}. */
    public NDArray decode(NDArray codes, int level) {
        checkLevel(level);
        return decoders.get(levels() - 1 - level).forward(codes);
    }

    /** Encode to ids and decode again (no straight-through): the reconstruction a user of the tokenizer sees. */
    public NDArray reconstruct(NDArray pictures, int level) {
        Shape s = pictures.getShape();
        int rate = upscale(level);
        try (NDArray z = latent(pictures, level); NDArray p = project(z); NDArray ids = nearestCodes(p);
             NDArray grid = ids.reshape(s.get(0), s.get(2) / rate, s.get(3) / rate); NDArray codes = embed(grid)) {
            return decode(codes, level);
        }
    }

    private void checkLevel(int level) {
        if (level < 0 || level >= levels()) {
            throw new IllegalArgumentException("level must be in 0.." + (levels() - 1) + ", got " + level);
        }
    }

    private static NDArray replace(NDArray old, NDArray next) {
        old.close();
        return next;
    }

    /** Mean squared error of two arrays of one shape. */
    public static NDArray mse(NDArray a, NDArray b) {
        try (NDArray d = a.sub(b); NDArray sq = d.square()) {
            return sq.mean();
        }
    }
}
