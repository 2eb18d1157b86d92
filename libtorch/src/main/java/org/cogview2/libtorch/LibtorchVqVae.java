package org.cogview2.libtorch;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import org.cogview2.benchmarks.RandomModels;
import org.cogview2.benchmarks.StageBenchmarks;
import org.cogview2.benchmarks.StageBenchmarks.Result;
import org.cogview2.checkpoint.HvqvaeLayout;
import org.cogview2.checkpoint.StoredTensor;
import org.cogview2.checkpoint.TensorRequirements;
import org.cogview2.spi.DType;

import java.util.Map;

/**
 * icetk's VQ-VAE decoder as a PyTorch user on a CPU runs it: {@link LibtorchHvqvae} over a state dict converted to
 * fp32 libtorch tensors once, at construction (fp32 is libtorch's fast CPU path; its fp16 CPU convolutions are not).
 * The same computation as {@code HierarchicalVqVae.decode}, for the libtorch column of {@code cogview2 bench}.
 */
public final class LibtorchVqVae implements AutoCloseable {

    private final NDManager weights;
    private final LibtorchHvqvae model;
    private final int level;

    /**
     * Uploads every parameter of {@code stateDict} into a sub-manager of {@code manager} in fp32 and decodes at
     * {@code level} (0, 1, 2 for compress rates 4, 8, 16: decoder {@code decs.<levels-1-level>}).
     */
    public LibtorchVqVae(NDManager manager, HvqvaeLayout layout, Map<String, StoredTensor> stateDict, int level) {
        int decoders = layout.decoderChannelsMult().size();
        if (level < 0 || level >= decoders) {
            throw new IllegalArgumentException("level must be in 0.." + (decoders - 1) + ", got " + level);
        }
        this.level = level;
        weights = manager.newSubManager();
        try {
            model = new LibtorchHvqvae(StateDictParams.load(weights, stateDict));
        } catch (RuntimeException e) {
            weights.close();
            throw e;
        }
    }

    /** Output pixels per code id along each side (8 for level 1 of the released layout). */
    public int upscale() {
        return model.upscale(level);
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
        try (NDManager step = weights.newSubManager()) {
            NDArray grid = step.create(ids, new Shape(1, side, side));
            try (NDArray codes = model.embed(grid); NDArray out = model.decode(codes, level)) {
                return out.toFloatArray();
            }
        }
    }

    @Override
    public void close() {
        weights.close();
    }

    /**
     * The libtorch twin of {@link StageBenchmarks#decode}: the same random state dict (seed 4, released widths,
     * fp16 values, converted here to fp32 once, outside the timing), the same ids (seed 5), and the same timed
     * work: one {@code side x side} grid (60 in the release: 480x480 pixels) decoded at level 1 (decoder
     * {@code decs.1}) and read back as floats, after the same untimed warm-up decode. libtorch's threads are whatever the engine was started with
     * ({@code ai.djl.pytorch.num_threads}).
     */
    public static Result benchmarkDecode(int side) {
        RandomModels models = new RandomModels(4);
        try (NDManager manager = NDManager.newBaseManager("PyTorch")) {
            HvqvaeLayout layout = HvqvaeLayout.released();
            Map<String, StoredTensor> stateDict = models.stateDict(TensorRequirements.hvqvae(layout), DType.F16, 0f);
            try (LibtorchVqVae vq = new LibtorchVqVae(manager, layout, stateDict, 1)) {
                int w = StageBenchmarks.WARM_UP_SIDE;
                vq.decode(StageBenchmarks.randomTokens(w * w, 6), w);
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
