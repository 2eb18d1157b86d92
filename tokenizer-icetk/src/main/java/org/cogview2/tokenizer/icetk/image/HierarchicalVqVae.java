package org.cogview2.tokenizer.icetk.image;

import org.cogview2.api.InvalidInputException;
import org.cogview2.api.ModelFormatException;
import org.cogview2.checkpoint.HvqvaeLayout;
import org.cogview2.checkpoint.StoredTensor;
import org.cogview2.checkpoint.TensorRequirements;
import org.cogview2.checkpoint.TorchCheckpoint;
import org.cogview2.spi.Backend;
import org.cogview2.spi.Kernels;
import org.cogview2.spi.Shape;
import org.cogview2.spi.Tensor;
import org.cogview2.spi.TensorScope;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * icetk's hierarchical VQ-VAE ({@code HVQVAE}, spec 01 §2): one encoder, residual down-samplers, a shared 20000-code
 * vector quantiser and one decoder per level. Level {@code l} (compress rate {@code 2^(l+2)}: 4, 8, 16) encodes
 * through the encoder and {@code l} down-samplers, and decodes with decoder {@code levels-1-l}.
 *
 * <p>Inputs and outputs are normalised images: {@code (x - mean) / std} per RGB channel with icetk's constants
 * (see {@link ImageNormalization}). Parameters stay in the checkpoint's dtype on the backend. Thread-safe after
 * loading: every call works in its own scope.
 */
public final class HierarchicalVqVae implements AutoCloseable {

    private final Backend backend;
    private final AutoCloseable mapping;
    private final TensorScope weightScope;
    private final VqVaeCoder encoder;
    private final List<VqVaeCoder> decoders;
    private final List<VqVaeBlocks.Conv> downSamplers;
    private final VqVaeBlocks.Conv projection;
    private final Tensor codebook;

    private HierarchicalVqVae(Backend backend, AutoCloseable mapping, TensorScope weightScope, VqVaeCoder encoder, List<VqVaeCoder> decoders,
                              List<VqVaeBlocks.Conv> downSamplers, VqVaeBlocks.Conv projection, Tensor codebook) {
        this.backend = backend;
        this.mapping = mapping;
        this.weightScope = weightScope;
        this.encoder = encoder;
        this.decoders = decoders;
        this.downSamplers = downSamplers;
        this.projection = projection;
        this.codebook = codebook;
    }

    /**
     * Loads {@code ice_image.pt} ({@code torch.save({'module': state_dict})}). As icetk loads with
     * {@code strict=False}, extra keys are ignored; unlike icetk, a missing parameter is an error (icetk would
     * silently keep a random initialisation). The EMA buffers {@code quantize.cluster_size} and
     * {@code quantize.embed_avg} are training statistics and are not read. The file stays memory-mapped (the backend
     * may use the parameters in place) until {@link #close()}.
     *
     * <p>Both {@code torch.save} formats load (zip and legacy), with or without training state beside
     * {@code module}. The widths are inferred from the state dict and every tensor is checked against them here, so
     * a truncated or foreign file fails at open naming the tensor at fault, not at its first convolution.
     *
     * @throws org.cogview2.checkpoint.StateDictMismatchException listing every missing or mis-shaped tensor
     */
    public static HierarchicalVqVae load(Path iceImage, Backend backend) {
        TorchCheckpoint checkpoint = TorchCheckpoint.open(iceImage);
        try {
            TensorRequirements.hvqvae(HvqvaeLayout.inferFrom(checkpoint)).check(checkpoint);
            return load(iceImage, checkpoint.stateDict(), backend, checkpoint);
        } catch (RuntimeException e) {
            checkpoint.close();
            throw e;
        }
    }

    /**
     * Builds the model from a state dict whose memory stays valid until {@code mapping} is closed (this model closes
     * it on {@link #close()}; pass {@code () -> {}} for memory the caller owns).
     */
    public static HierarchicalVqVae load(Path file, Map<String, StoredTensor> stateDict, Backend backend, AutoCloseable mapping) {
        TensorScope scope = backend.newScope();
        try {
            VqVaeWeights w = new VqVaeWeights(file, scope, stateDict);
            int levels = w.count("decs.", ".conv_in.weight");
            if (levels == 0) {
                throw new ModelFormatException(file, "no decoder found (expected keys decs.<i>.conv_in.weight): not an icetk image tokenizer");
            }
            VqVaeCoder encoder = VqVaeCoder.encoder(w, "enc");
            List<VqVaeCoder> decoders = new ArrayList<>();
            for (int i = 0; i < levels; i++) {
                decoders.add(VqVaeCoder.decoder(w, "decs." + i));
            }
            List<VqVaeBlocks.Conv> downSamplers = new ArrayList<>();
            for (int i = 0; i < levels - 1; i++) {
                downSamplers.add(w.conv("down_samplers." + i + ".conv_down_sampler.conv"));
            }
            VqVaeBlocks.Conv projection = w.conv("quantize.proj");
            Tensor codebook = w.tensor("quantize.embed.weight");
            w.requireComplete();
            return new HierarchicalVqVae(backend, mapping, scope, encoder, List.copyOf(decoders), List.copyOf(downSamplers), projection, codebook);
        } catch (RuntimeException e) {
            scope.close();
            throw e;
        }
    }

    /** Number of codes in the codebook (20000 for the released model): image ids are {@code 0..codes()-1}. */
    public int codes() {
        return codebook.shape().dim(0);
    }

    /** Number of levels (3 for the released model). */
    public int levels() {
        return decoders.size();
    }

    /** The level of a compress rate: 4 → 0, 8 → 1, 16 → 2. */
    public static int level(int compressRate) {
        return switch (compressRate) {
            case 4 -> 0;
            case 8 -> 1;
            case 16 -> 2;
            default -> throw new InvalidInputException("compress rate must be 4, 8 or 16, got " + compressRate);
        };
    }

    /**
     * Token ids of normalised images {@code [batch, 3, height, width]} (planes row-major): {@code [batch, (h/r)*(w/r)]}
     * in raster order.
     */
    public int[] encode(float[] normalized, int batch, int height, int width, int level) {
        try (TensorScope s = backend.newScope()) {
            Tensor x = s.fromFloats(normalized, Shape.of(batch, 3, height, width));
            return s.readInts(quantize(s, latent(s, x, level)));
        }
    }

    /** Encoder output followed by {@code level} residual down-samplers: {@code [B, z, h, w]}. */
    public Tensor latent(TensorScope s, Tensor x, int level) {
        checkLevel(level);
        Kernels k = backend.kernels();
        try (TensorScope tmp = backend.newScope()) {
            Tensor h = encoder.forward(k, level == 0 ? s : tmp, x);
            for (int i = 0; i < level; i++) {
                h = residualDownSample(k, i + 1 == level ? s : tmp, downSamplers.get(i), h);
            }
            return h;
        }
    }

    /** {@code avg_pool_2x2(x) + downsample_conv(x)}. */
    private static Tensor residualDownSample(Kernels k, TensorScope s, VqVaeBlocks.Conv conv, Tensor x) {
        try (TensorScope tmp = s.backend().newScope()) {
            return k.add(s, k.avgPool2x2(tmp, x), conv.apply(k, tmp, x, VqVaeBlocks.DOWNSAMPLE));
        }
    }

    /** {@code quantize.proj} then the nearest code of every position: I32 {@code [B*h*w]}. */
    public Tensor quantize(TensorScope s, Tensor z) {
        Kernels k = backend.kernels();
        try (TensorScope tmp = backend.newScope()) {
            Tensor projected = projection.same(k, tmp, z);
            int[] d = projected.shape().dims();
            Tensor rows = tmp.reshape(k.permute(tmp, projected, 0, 2, 3, 1), Shape.of(d[0] * d[2] * d[3], d[1]));
            return k.nearestCode(s, rows, codebook);
        }
    }

    /** {@code quantize.proj} output {@code [B, z, h, w]} (for checking intermediates). */
    public Tensor project(TensorScope s, Tensor z) {
        return projection.same(backend.kernels(), s, z);
    }

    /**
     * Images of square token grids: ids {@code [batch, side*side]} → normalised planes {@code [batch, 3, H, W]} with
     * {@code H = W = side * 2^(level+2)}.
     */
    public float[] decode(int[] ids, int batch, int side, int level) {
        try (TensorScope s = backend.newScope()) {
            return s.readFloats(decode(s, ids, batch, side, level));
        }
    }

    /** The decoder's raw output (before de-normalisation) {@code [batch, 3, H, W]} in {@code s}. */
    public Tensor decode(TensorScope s, int[] ids, int batch, int side, int level) {
        checkLevel(level);
        int codes = codebook.shape().dim(0);
        for (int i = 0; i < ids.length; i++) {
            if (ids[i] < 0 || ids[i] >= codes) {
                throw new InvalidInputException("image token " + i + " is " + ids[i] + ", outside 0.." + (codes - 1));
            }
        }
        if (ids.length != batch * side * side) {
            throw new InvalidInputException(batch + " grids of " + side + "x" + side + " need " + (batch * side * side)
                    + " ids, got " + ids.length);
        }
        Kernels k = backend.kernels();
        try (TensorScope tmp = backend.newScope()) {
            Tensor embedded = k.embedding(tmp, codebook, tmp.fromInts(ids, Shape.of(batch, side, side)));
            Tensor planar = k.permute(tmp, embedded, 0, 3, 1, 2);
            return decoders.get(levels() - 1 - level).forward(k, s, planar);
        }
    }

    /** The decoder's {@code conv_in} output for grids (for checking intermediates). */
    public Tensor decoderInput(TensorScope s, int[] ids, int batch, int side, int level) {
        Kernels k = backend.kernels();
        try (TensorScope tmp = backend.newScope()) {
            Tensor embedded = k.embedding(tmp, codebook, tmp.fromInts(ids, Shape.of(batch, side, side)));
            return decoders.get(levels() - 1 - level).convIn(k, s, k.permute(tmp, embedded, 0, 3, 1, 2));
        }
    }

    /** The encoder's {@code conv_in} output (for checking intermediates). */
    public Tensor encoderInput(TensorScope s, Tensor x) {
        return encoder.convIn(backend.kernels(), s, x);
    }

    Backend backend() {
        return backend;
    }

    private void checkLevel(int level) {
        if (level < 0 || level >= levels()) {
            throw new InvalidInputException("level must be in 0.." + (levels() - 1) + ", got " + level);
        }
    }

    @Override
    public void close() {
        weightScope.close();
        try {
            mapping.close();
        } catch (Exception e) {
            throw new IllegalStateException("could not release the image tokenizer's weights", e);
        }
    }
}
