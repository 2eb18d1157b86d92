package org.cogview2.tokenizer.icetk.image;

import org.cogview2.spi.Kernels;
import org.cogview2.spi.Tensor;
import org.cogview2.spi.TensorScope;

import java.util.ArrayList;
import java.util.List;

/**
 * icetk's {@code Encoder} and {@code Decoder} (spec 01 §2.3, §2.5): a convolution in, resolution levels of ResNet
 * blocks (each optionally followed by an attention block) with a down- or up-sampling convolution between levels,
 * the middle ResNet / attention / ResNet, then GroupNorm, swish and a convolution out.
 */
final class VqVaeCoder {

    /** One resolution level: blocks, their attention blocks (null where absent), and the resampling conv (or null). */
    record Level(List<VqVaeBlocks.ResnetBlock> blocks, List<VqVaeBlocks.AttnBlock> attentions, VqVaeBlocks.Conv resample) {
    }

    private final VqVaeBlocks.Conv convIn;
    /** Encoder: in forward order (level 0 first). Decoder: in forward order (highest level first). */
    private final List<Level> levels;
    private final boolean upsampling;
    private final VqVaeBlocks.ResnetBlock midBlock1;
    private final VqVaeBlocks.AttnBlock midAttention;
    private final VqVaeBlocks.ResnetBlock midBlock2;
    private final VqVaeBlocks.GroupNorm normOut;
    private final VqVaeBlocks.Conv convOut;

    private VqVaeCoder(VqVaeBlocks.Conv convIn, List<Level> levels, boolean upsampling, VqVaeBlocks.ResnetBlock midBlock1,
                       VqVaeBlocks.AttnBlock midAttention, VqVaeBlocks.ResnetBlock midBlock2,
                       VqVaeBlocks.GroupNorm normOut, VqVaeBlocks.Conv convOut) {
        this.convIn = convIn;
        this.levels = levels;
        this.upsampling = upsampling;
        this.midBlock1 = midBlock1;
        this.midAttention = midAttention;
        this.midBlock2 = midBlock2;
        this.normOut = normOut;
        this.convOut = convOut;
    }

    /** The encoder under {@code prefix} (e.g. {@code enc}): levels {@code down.<i>} with {@code downsample.conv}. */
    static VqVaeCoder encoder(VqVaeWeights w, String prefix) {
        int n = w.count(prefix + ".down.", ".block.0.norm1.weight");
        List<Level> levels = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            levels.add(level(w, prefix + ".down." + i, "downsample.conv"));
        }
        return build(w, prefix, levels, false);
    }

    /** A decoder under {@code prefix} (e.g. {@code decs.1}): levels {@code up.<i>} run from the highest index down. */
    static VqVaeCoder decoder(VqVaeWeights w, String prefix) {
        int n = w.count(prefix + ".up.", ".block.0.norm1.weight");
        List<Level> levels = new ArrayList<>();
        for (int i = n - 1; i >= 0; i--) {
            levels.add(level(w, prefix + ".up." + i, "upsample.conv"));
        }
        return build(w, prefix, levels, true);
    }

    private static Level level(VqVaeWeights w, String prefix, String resample) {
        List<VqVaeBlocks.ResnetBlock> blocks = w.resnets(prefix + ".block");
        List<VqVaeBlocks.AttnBlock> attentions = new ArrayList<>();
        for (int j = 0; j < blocks.size(); j++) {
            String attn = prefix + ".attn." + j;
            attentions.add(w.has(attn + ".norm.weight") ? w.attention(attn) : null);
        }
        VqVaeBlocks.Conv conv = w.has(prefix + "." + resample + ".weight") ? w.conv(prefix + "." + resample) : null;
        return new Level(blocks, attentions, conv);
    }

    private static VqVaeCoder build(VqVaeWeights w, String prefix, List<Level> levels, boolean upsampling) {
        return new VqVaeCoder(w.conv(prefix + ".conv_in"), levels, upsampling,
                w.resnet(prefix + ".mid.block_1"), w.attention(prefix + ".mid.attn_1"), w.resnet(prefix + ".mid.block_2"),
                w.norm(prefix + ".norm_out"), w.conv(prefix + ".conv_out"));
    }

    /**
     * Runs the encoder or decoder on {@code x [B, C, H, W]}. Each intermediate activation is released as soon as the
     * next exists: at 480x480 one activation of the released model is over 100 MB.
     */
    Tensor forward(Kernels k, TensorScope s, Tensor x) {
        try (TensorScope tmp = s.backend().newScope()) {
            Tensor h = convIn.same(k, tmp, x);
            if (upsampling) {
                h = middle(k, tmp, h);
            }
            for (Level level : levels) {
                for (int j = 0; j < level.blocks().size(); j++) {
                    h = replace(h, level.blocks().get(j).apply(k, tmp, h));
                    if (level.attentions().get(j) != null) {
                        h = replace(h, level.attentions().get(j).apply(k, tmp, h));
                    }
                }
                if (level.resample() != null) {
                    h = replace(h, upsampling ? VqVaeBlocks.upsample(k, tmp, level.resample(), h)
                            : level.resample().apply(k, tmp, h, VqVaeBlocks.DOWNSAMPLE));
                }
            }
            if (!upsampling) {
                h = middle(k, tmp, h);
            }
            return convOut.same(k, s, normOut.swish(k, tmp, h));
        }
    }

    private static Tensor replace(Tensor old, Tensor next) {
        old.close();
        return next;
    }

    /** Output of {@code conv_in} alone (for checking intermediates). */
    Tensor convIn(Kernels k, TensorScope s, Tensor x) {
        return convIn.same(k, s, x);
    }

    private Tensor middle(Kernels k, TensorScope s, Tensor h) {
        h = replace(h, midBlock1.apply(k, s, h));
        h = replace(h, midAttention.apply(k, s, h));
        return replace(h, midBlock2.apply(k, s, h));
    }
}
