package org.cogview2.benchmarks.libtorch;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import ai.djl.ndarray.types.SparseFormat;
import org.cogview2.benchmarks.RandomModels;
import org.cogview2.benchmarks.StageBenchmarks;
import org.cogview2.benchmarks.StageBenchmarks.Result;
import org.cogview2.checkpoint.HvqvaeLayout;
import org.cogview2.checkpoint.StoredTensor;
import org.cogview2.checkpoint.TensorRequirements;
import org.cogview2.spi.DType;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;

/**
 * One decoder of icetk's hierarchical VQ-VAE (spec 01 §2.5) in libtorch through DJL: the same computation as
 * {@code HierarchicalVqVae.decode}, for the libtorch column of {@code cogview2 bench}. Code ids are looked up in the
 * codebook ({@code torch.embedding}), permuted to NCHW, and run through {@code conv_in}, the middle ResNet /
 * attention / ResNet, the up-sampling levels, GroupNorm, swish and {@code conv_out}, as the Python module does.
 *
 * <p>Parameters are converted to fp32 libtorch tensors once, at construction: fp32 is libtorch's fast CPU path (its
 * fp16 CPU convolutions are not), so this is what a PyTorch user decoding on a CPU would run. The structure (levels,
 * blocks, attention placement) follows the {@link HvqvaeLayout}, as icetk's constructor does; the values come from the
 * state dict by their official {@code ice_image.pt} names. Not thread-safe (see
 * {@link LibtorchVqVaeBlocks.GroupStatistics}); batch 1.
 */
public final class LibtorchVqVae implements AutoCloseable {

    /** One up-sampling level: its ResNet blocks, their attention blocks (null where absent), the Upsample conv (or null). */
    private record Level(List<LibtorchVqVaeBlocks.ResnetBlock> blocks, List<LibtorchVqVaeBlocks.AttnBlock> attentions,
                         LibtorchVqVaeBlocks.Conv upsample) {
    }

    private final NDManager weights;
    private final NDArray codebook;
    private final LibtorchVqVaeBlocks.Conv convIn;
    private final LibtorchVqVaeBlocks.ResnetBlock midBlock1;
    private final LibtorchVqVaeBlocks.AttnBlock midAttention;
    private final LibtorchVqVaeBlocks.ResnetBlock midBlock2;
    /** In forward order: the highest level first. */
    private final List<Level> levels;
    private final LibtorchVqVaeBlocks.GroupNorm normOut;
    private final LibtorchVqVaeBlocks.Conv convOut;
    private final int upscale;

    /**
     * Uploads the codebook and the decoder of {@code level} (0, 1, 2 for compress rates 4, 8, 16: decoder
     * {@code decs.<levels-1-level>}) from {@code stateDict} into a sub-manager of {@code manager}, in fp32.
     */
    public LibtorchVqVae(NDManager manager, HvqvaeLayout layout, Map<String, StoredTensor> stateDict, int level) {
        int decoders = layout.decoderChannelsMult().size();
        if (level < 0 || level >= decoders) {
            throw new IllegalArgumentException("level must be in 0.." + (decoders - 1) + ", got " + level);
        }
        int index = decoders - 1 - level;
        String p = "decs." + index;
        List<Integer> mult = layout.decoderChannelsMult().get(index);
        int n = mult.size();
        weights = manager.newSubManager();
        try {
            LibtorchVqVaeBlocks.Weights w = new LibtorchVqVaeBlocks.Weights(weights, stateDict);
            LibtorchVqVaeBlocks.GroupStatistics stats = LibtorchVqVaeBlocks.GroupStatistics.create(weights);
            codebook = w.get("quantize.embed.weight");
            convIn = w.conv(p + ".conv_in");
            midBlock1 = w.resnet(p + ".mid.block_1", stats);
            midAttention = w.attention(p + ".mid.attn_1", stats);
            midBlock2 = w.resnet(p + ".mid.block_2", stats);
            // icetk's Decoder: the attention-placement counter starts at resolution / 2^(n-1) and doubles per level.
            int resolution = layout.resolution() >> (n - 1);
            List<Level> built = new ArrayList<>();
            for (int i = n - 1; i >= 0; i--) {
                List<LibtorchVqVaeBlocks.ResnetBlock> blocks = new ArrayList<>();
                List<LibtorchVqVaeBlocks.AttnBlock> attentions = new ArrayList<>();
                for (int j = 0; j <= layout.decoderResBlocks(); j++) {
                    blocks.add(w.resnet(p + ".up." + i + ".block." + j, stats));
                    attentions.add(layout.attnResolutions().contains(resolution)
                            ? w.attention(p + ".up." + i + ".attn." + j, stats) : null);
                }
                LibtorchVqVaeBlocks.Conv upsample = null;
                if (i != 0) {
                    upsample = w.conv(p + ".up." + i + ".upsample.conv");
                    resolution *= 2;
                }
                built.add(new Level(List.copyOf(blocks), Collections.unmodifiableList(attentions), upsample));
            }
            levels = List.copyOf(built);
            normOut = w.norm(p + ".norm_out", stats);
            convOut = w.conv(p + ".conv_out");
            upscale = 1 << (n - 1);
        } catch (RuntimeException e) {
            weights.close();
            throw e;
        }
    }

    /** Output pixels per code id along each side (8 for level 1 of the released layout). */
    public int upscale() {
        return upscale;
    }

    /**
     * The decoder's raw output (normalised planes, before {@code out * std + mean}) for one {@code side x side} grid
     * of code ids in raster order: {@code [1, 3, side*upscale, side*upscale]} row-major, like
     * {@code HierarchicalVqVae.decode(ids, 1, side, level)}.
     */
    public float[] decode(int[] ids, int side) {
        if (ids.length != side * side) {
            throw new IllegalArgumentException("a " + side + "x" + side + " grid needs " + side * side + " ids, got " + ids.length);
        }
        long codes = codebook.getShape().get(0);
        for (int id : ids) {
            if (id < 0 || id >= codes) {
                throw new IllegalArgumentException("code id " + id + " outside 0.." + (codes - 1));
            }
        }
        // Everything of one decode lives in this sub-manager; intermediates are closed as soon as they are used.
        try (NDManager step = weights.newSubManager()) {
            NDArray grid = step.create(ids, new Shape(1, side, side));
            NDArray embedded = grid.getNDArrayInternal().embedding(grid, codebook, SparseFormat.DENSE).singletonOrThrow();
            // embed_code(ids).permute(0, 3, 1, 2): a view; torch's convolution reads it as NCHW.
            try (NDArray planar = embedded.transpose(0, 3, 1, 2); NDArray out = forward(planar)) {
                return out.toFloatArray();
            }
        }
    }

    /** icetk's {@code Decoder.forward}: conv_in, middle, up-sampling levels, GroupNorm, swish, conv_out. */
    private NDArray forward(NDArray z) {
        NDArray h = convIn.apply(z);
        h = replace(h, midBlock1.apply(h));
        h = replace(h, midAttention.apply(h));
        h = replace(h, midBlock2.apply(h));
        for (Level level : levels) {
            for (int j = 0; j < level.blocks().size(); j++) {
                h = replace(h, level.blocks().get(j).apply(h));
                if (level.attentions().get(j) != null) {
                    h = replace(h, level.attentions().get(j).apply(h));
                }
            }
            if (level.upsample() != null) {
                h = replace(h, LibtorchVqVaeBlocks.upsample(level.upsample(), h));
            }
        }
        try (NDArray last = h; NDArray a = normOut.swish(last)) {
            return convOut.apply(a);
        }
    }

    /** Frees the previous activation once the next exists (Python's reference counting does the same). */
    private static NDArray replace(NDArray old, NDArray next) {
        old.close();
        return next;
    }

    @Override
    public void close() {
        weights.close();
    }

    /**
     * The libtorch twin of {@link StageBenchmarks#decode}: the same random state dict (seed 4, released widths,
     * fp16 values, converted here to fp32 once, outside the timing), the same ids (seed 5), and the same timed
     * work: one {@code side x side} grid (60 in the release: 480x480 pixels) decoded at level 1 (decoder
     * {@code decs.1}) and read back as floats. libtorch's threads are whatever the engine was started with
     * ({@code ai.djl.pytorch.num_threads}).
     */
    public static Result benchmarkDecode(int side) {
        RandomModels models = new RandomModels(4);
        try (NDManager manager = NDManager.newBaseManager("PyTorch")) {
            HvqvaeLayout layout = HvqvaeLayout.released();
            Map<String, StoredTensor> stateDict = models.stateDict(TensorRequirements.hvqvae(layout), DType.F16, 0f);
            try (LibtorchVqVae vq = new LibtorchVqVae(manager, layout, stateDict, 1)) {
                int[] ids = StageBenchmarks.randomTokens(side * side, 5);
                long start = System.nanoTime();
                vq.decode(ids, side);
                return new Result("VQ-VAE decode " + side + "x" + side + " -> " + 8 * side + "x" + 8 * side + " (released width)",
                        (System.nanoTime() - start) / 1e9, 1, "pictures", 1);
            }
        } finally {
            models.close();
        }
    }
}
