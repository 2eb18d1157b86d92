package org.cogview2.libtorch;

import ai.djl.ndarray.NDManager;
import org.cogview2.backend.reference.ReferenceBackend;
import org.cogview2.benchmarks.RandomModels;
import org.cogview2.benchmarks.StageBenchmarks;
import org.cogview2.checkpoint.HvqvaeLayout;
import org.cogview2.checkpoint.StoredTensor;
import org.cogview2.checkpoint.TensorRequirements;
import org.cogview2.spi.DType;
import org.cogview2.tokenizer.icetk.image.HierarchicalVqVae;
import org.junit.jupiter.api.Test;

import java.nio.file.Path;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The libtorch decoder against ours on the CPU reference backend, from the same random fp16 state dict (both compute
 * in fp32, so only summation order differs).
 */
class LibtorchVqVaeTest {

    /**
     * Released structure at width 32 (the narrowest GroupNorm(32) allows), two ResNet blocks per level and a
     * resolution constant that puts attention blocks in the up-sampling levels of every multi-level decoder (the
     * released decs.0 has one; decs.1, the benchmark's, has only the middle one).
     */
    private static final HvqvaeLayout SMALL = new HvqvaeLayout(3, 3, 32, 16, 16, 64, List.of(1, 2), 1,
            List.of(List.of(1, 1, 2), List.of(1, 2), List.of(2)), 1, 2, 32, List.of(16));

    @Test
    void smallLayoutMatchesOursAtEveryLevel() {
        RandomModels models = new RandomModels(11);
        try {
            Map<String, StoredTensor> sd = models.stateDict(TensorRequirements.hvqvae(SMALL), DType.F16, 0f);
            for (int level = 0; level < 3; level++) {
                compare(SMALL, sd, level, 6, 100 + level);
            }
        } finally {
            models.close();
        }
    }

    /** The benchmark's own decoder (decs.1 at the released widths) on an 8x8 grid: 64x64 pixels. */
    @Test
    void releasedDecoderMatchesOursOnASmallGrid() {
        RandomModels models = new RandomModels(4);
        try {
            HvqvaeLayout layout = HvqvaeLayout.released();
            compare(layout, models.stateDict(TensorRequirements.hvqvae(layout), DType.F16, 0f), 1, 8, 5);
        } finally {
            models.close();
        }
    }

    private static void compare(HvqvaeLayout layout, Map<String, StoredTensor> sd, int level, int side, long seed) {
        int[] ids = StageBenchmarks.randomTokens(side * side, seed);
        for (int i = 0; i < ids.length; i++) {
            ids[i] %= layout.codebookSize();
        }
        float[] ours;
        try (HierarchicalVqVae vq = HierarchicalVqVae.load(Path.of("random-ice_image.pt"), sd, new ReferenceBackend(), () -> { })) {
            ours = vq.decode(ids, 1, side, level);
        }
        float[] theirs;
        try (NDManager manager = NDManager.newBaseManager("PyTorch");
             LibtorchVqVae vq = new LibtorchVqVae(manager, layout, sd, level)) {
            int pixels = side * vq.upscale();
            theirs = vq.decode(ids, side);
            assertEquals(3 * pixels * pixels, theirs.length, "output size at level " + level);
        }
        assertEquals(ours.length, theirs.length, "output size at level " + level);
        double scale = 0, worst = 0;
        for (int i = 0; i < ours.length; i++) {
            assertTrue(Float.isFinite(theirs[i]), "non-finite output at " + i);
            scale = Math.max(scale, Math.abs(ours[i]));
            worst = Math.max(worst, Math.abs(ours[i] - theirs[i]));
        }
        // Random weights of fan-in-scaled spread keep the outputs of order one: a wrong op gives differences of that
        // order, fp32 summation order a few ulps per layer.
        assertTrue(scale > 0.1, "degenerate output (max |x| = " + scale + ") at level " + level);
        assertTrue(worst <= 1e-4 * scale, "level " + level + ": max |libtorch - ours| = " + worst + ", max |ours| = " + scale);
        System.out.printf("level %d side %d: max |diff| %.3g, max |ours| %.3g%n", level, side, worst, scale);
    }
}
