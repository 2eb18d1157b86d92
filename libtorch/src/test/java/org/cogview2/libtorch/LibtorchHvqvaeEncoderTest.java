package org.cogview2.libtorch;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import org.cogview2.backend.reference.ReferenceBackend;
import org.cogview2.benchmarks.RandomModels;
import org.cogview2.checkpoint.HvqvaeLayout;
import org.cogview2.checkpoint.StoredTensor;
import org.cogview2.checkpoint.TensorRequirements;
import org.cogview2.spi.DType;
import org.cogview2.spi.Tensor;
import org.cogview2.spi.TensorScope;
import org.cogview2.tokenizer.icetk.image.HierarchicalVqVae;
import org.junit.jupiter.api.Test;

import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The libtorch encoder, down-samplers and quantiser against ours on the CPU reference backend, for a batch of two
 * pictures (so the batched GroupNorm is checked too): projected latents within 1e-5 relative, and the same code ids.
 */
class LibtorchHvqvaeEncoderTest {

    private static final HvqvaeLayout SMALL = new HvqvaeLayout(3, 3, 32, 16, 16, 64, List.of(1, 2, 2), 1,
            List.of(List.of(1, 1, 2), List.of(1, 2), List.of(2)), 0, 2, 32, List.of(16));

    @Test
    void encoderMatchesOursAtEveryLevel() {
        RandomModels models = new RandomModels(21);
        try {
            Map<String, StoredTensor> sd = models.stateDict(TensorRequirements.hvqvae(SMALL), DType.F16, 0f);
            int batch = 2, side = 32;
            float[] pictures = new float[batch * 3 * side * side];
            SplittableRandom r = new SplittableRandom(3);
            for (int i = 0; i < pictures.length; i++) {
                pictures[i] = (float) r.nextGaussian();
            }
            ReferenceBackend backend = new ReferenceBackend();
            try (HierarchicalVqVae ours = HierarchicalVqVae.load(Path.of("random-ice_image.pt"), sd, backend, () -> { });
                 NDManager manager = NDManager.newBaseManager("PyTorch")) {
                LibtorchHvqvae theirs = new LibtorchHvqvae(StateDictParams.load(manager, sd));
                for (int level = 0; level < 3; level++) {
                    float[] expected;
                    int[] expectedIds;
                    try (TensorScope s = backend.newScope()) {
                        Tensor x = s.fromFloats(pictures, org.cogview2.spi.Shape.of(batch, 3, side, side));
                        Tensor z = ours.latent(s, x, level);
                        expected = s.readFloats(ours.project(s, z));
                        expectedIds = s.readInts(ours.quantize(s, z));
                    }
                    NDArray x = manager.create(pictures, new Shape(batch, 3, side, side));
                    NDArray projected = theirs.project(theirs.latent(x, level));
                    float[] actual = projected.toFloatArray();
                    int[] ids = theirs.nearestCodes(projected).toType(ai.djl.ndarray.types.DataType.INT32, false).toIntArray();
                    assertEquals(expected.length, actual.length, "latent size at level " + level);
                    double scale = 0, worst = 0;
                    for (int i = 0; i < expected.length; i++) {
                        scale = Math.max(scale, Math.abs(expected[i]));
                        worst = Math.max(worst, Math.abs(expected[i] - actual[i]));
                    }
                    assertTrue(scale > 1e-2, "degenerate latent at level " + level + ": max |x| = " + scale);
                    assertTrue(worst <= 1e-5 * scale, "level " + level + ": max |libtorch - ours| = " + worst + ", scale " + scale);
                    assertArrayEquals(expectedIds, ids, "code ids at level " + level);
                    System.out.printf("encoder level %d: max |diff| %.3g, max |ours| %.3g (relative %.2e)%n", level, worst, scale, worst / scale);
                }
            }
        } finally {
            models.close();
        }
    }
}
