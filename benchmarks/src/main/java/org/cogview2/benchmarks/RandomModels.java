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
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.List;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.SplittableRandom;

/**
 * Models of a chosen size with random weights for benchmarks: the cost of a forward pass does not depend on the values,
 * only on the shapes and dtypes. Weights are fp16, like the released checkpoints, and memory-mapped like them (from a
 * temporary file), so that even the released size fits where a real checkpoint fits.
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

    /**
     * The state dict {@link #transformer} and {@link #releasedImageCodec} upload: official key names, random values.
     * The values live in a memory-mapped temporary file (deleted at once; the mapping keeps it until {@link #close}),
     * so a backend uploads them in place as it does a real checkpoint's: the weights are never also copied to the
     * heap, and the operating system may page them out as it may a checkpoint's. Weight values are uniform with the
     * standard deviation {@code std} (or {@code 1/sqrt(fan-in)} when {@code std} is 0), norm weights 1, biases 0.
     */
    public Map<String, StoredTensor> stateDict(TensorRequirements requirements, DType dtype, float std) {
        if (dtype != DType.F16) {
            throw new IllegalArgumentException("random state dicts are fp16 (as released), not " + dtype);
        }
        List<TensorRequirements.Requirement> needed = requirements.requirements().stream()
                .filter(r -> !r.optional()).toList();
        long total = 0;
        for (TensorRequirements.Requirement r : needed) {
            total += aligned(r.shape().elementCount() * dtype.byteSize());
        }
        MemorySegment file = mapTemporary(total);
        Map<String, StoredTensor> out = new LinkedHashMap<>();
        long at = 0;
        for (TensorRequirements.Requirement r : needed) {
            int[] shape = r.shape().dims();
            long n = r.shape().elementCount();
            MemorySegment data = file.asSlice(at, n * dtype.byteSize());
            at += aligned(n * dtype.byteSize());
            boolean norm = r.key().contains("norm") && !r.key().contains("conv");
            if (norm && r.key().endsWith(".weight")) {
                fill(data, n, Float.floatToFloat16(1f));
            } else if (r.key().endsWith(".bias")) {
                fill(data, n, Float.floatToFloat16(0f));
            } else {
                int fanIn = shape.length > 1 ? (int) (n / shape[0]) : 1;
                float sd = std > 0 ? std : (float) (1.0 / Math.sqrt(fanIn));
                uniform(data, n, sd);
            }
            out.put(r.key(), new StoredTensor(r.key(), dtype, shape, data));
        }
        return out;
    }

    private static long aligned(long bytes) {
        return (bytes + 63) / 64 * 64;
    }

    /** A read-write mapping of a new temporary file of {@code bytes} bytes, the file itself already deleted. */
    private MemorySegment mapTemporary(long bytes) {
        try {
            Path file = Files.createTempFile("cogview2-random-weights-", ".bin");
            try (FileChannel channel = FileChannel.open(file, StandardOpenOption.READ, StandardOpenOption.WRITE)) {
                return channel.map(FileChannel.MapMode.READ_WRITE, 0, Math.max(1, bytes), arena);
            } finally {
                Files.deleteIfExists(file);
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot map " + bytes + " bytes of random weights in a temporary file ("
                    + System.getProperty("java.io.tmpdir") + ")", e);
        }
    }

    private static void fill(MemorySegment data, long n, short value) {
        for (long i = 0; i < n; i++) {
            data.set(HALF, i * 2, value);
        }
    }

    /** Uniform in {@code [-a, a]} with {@code a = sd * sqrt(3)} (standard deviation sd): four values per random long. */
    private void uniform(MemorySegment data, long n, float sd) {
        float scale = (float) (sd * Math.sqrt(3) / 32768.0);
        long i = 0;
        while (i < n) {
            long bits = random.nextLong();
            for (int j = 0; j < 4 && i < n; j++, i++) {
                int u = (int) (bits >>> (16 * j)) & 0xFFFF;
                data.set(HALF, i * 2, Float.floatToFloat16((u - 32768) * scale));
            }
        }
    }

    /** Releases the host memory of the weights (after the backend scopes that use them are closed). */
    public void close() {
        arena.close();
    }
}
