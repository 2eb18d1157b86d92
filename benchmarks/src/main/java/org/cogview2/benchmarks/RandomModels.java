package org.cogview2.benchmarks;

import org.cogview2.checkpoint.HvqvaeLayout;
import org.cogview2.checkpoint.LayerNormOrder;
import org.cogview2.checkpoint.StoredTensor;
import org.cogview2.checkpoint.TensorRequirements;
import org.cogview2.checkpoint.TransformerConfig;
import org.cogview2.models.transformer.MixinWeights;
import org.cogview2.models.transformer.SatCheckpoints;
import org.cogview2.models.transformer.SatTransformer;
import org.cogview2.models.transformer.TransformerWeights;
import org.cogview2.spi.Backend;
import org.cogview2.spi.DType;
import org.cogview2.spi.TensorScope;
import org.cogview2.tokenizer.icetk.image.HierarchicalVqVae;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteOrder;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.SplittableRandom;

/**
 * Models of a chosen size with random weights, built in memory (no files) for benchmarks: the cost of a forward pass
 * does not depend on the values, only on the shapes and dtypes. Weights are fp16, like the released checkpoints.
 */
public final class RandomModels {

    private static final ValueLayout.OfShort HALF = ValueLayout.JAVA_SHORT_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);

    private final Arena arena = Arena.ofShared();
    private final SplittableRandom random;

    public RandomModels(long seed) {
        this.random = new SplittableRandom(seed);
    }

    public static TransformerConfig config(int layers, int hidden, int heads, int maxSequenceLength) {
        return new TransformerConfig(layers, hidden, heads, 23003, maxSequenceLength, LayerNormOrder.SANDWICH,
                4 * hidden, hidden / heads, Map.of());
    }

    /** A transformer (and the SR mixins of {@code kind}) on the backend. */
    public SatTransformerWithMixins transformer(TransformerConfig config, SatCheckpoints.Extra kind, Backend backend, TensorScope scope) {
        TensorRequirements requirements = switch (kind) {
            case NONE -> TensorRequirements.satTransformer(config);
            case DSR -> TensorRequirements.cogview2Dsr(config, SatCheckpoints.NEW_SEQUENCE_LENGTH);
            case ITERSR -> TensorRequirements.cogview2IterSr(config, SatCheckpoints.NEW_SEQUENCE_LENGTH);
        };
        Map<String, StoredTensor> stateDict = stateDict(requirements, DType.F16, 0.02f);
        TransformerWeights weights = TransformerWeights.upload(scope, stateDict, config);
        MixinWeights mixins = SatCheckpoints.uploadExtra(scope, stateDict, config, kind);
        return new SatTransformerWithMixins(new SatTransformer(config, weights, backend.kernels()), mixins);
    }

    public record SatTransformerWithMixins(SatTransformer transformer, MixinWeights mixins) {
    }

    /** icetk's VQ-VAE with the released widths (channels 128, codes 256 wide). */
    public HierarchicalVqVae releasedImageCodec(Backend backend) {
        HvqvaeLayout layout = HvqvaeLayout.released();
        return HierarchicalVqVae.load(Path.of("random-ice_image.pt"),
                stateDict(TensorRequirements.hvqvae(layout), DType.F16, 0f), backend, () -> { });
    }

    /** The state dict {@link #transformer} and {@link #releasedImageCodec} upload: official key names, random values. */
    public Map<String, StoredTensor> stateDict(TensorRequirements requirements, DType dtype, float std) {
        Map<String, StoredTensor> out = new LinkedHashMap<>();
        for (TensorRequirements.Requirement r : requirements.requirements()) {
            if (r.optional()) {
                continue;
            }
            int[] shape = r.shape().dims();
            long n = r.shape().elementCount();
            MemorySegment data = arena.allocate(n * dtype.byteSize(), 8);
            boolean norm = r.key().contains("norm") && !r.key().contains("conv");
            int fanIn = shape.length > 1 ? (int) (n / shape[0]) : 1;
            float sd = std > 0 ? std : (float) (1.0 / Math.sqrt(fanIn));
            for (long i = 0; i < n; i++) {
                float v = norm && r.key().endsWith(".weight") ? 1f
                        : r.key().endsWith(".bias") ? 0f : (float) (random.nextGaussian() * sd);
                data.set(HALF, i * 2, Float.floatToFloat16(v));
            }
            out.put(r.key(), new StoredTensor(r.key(), dtype, shape, data));
        }
        return out;
    }

    /** Releases the host memory of the weights (after the backend scopes that use them are closed). */
    public void close() {
        arena.close();
    }
}
