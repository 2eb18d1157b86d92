package org.cogview2.libtorch;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.Activation;
import ai.djl.nn.convolutional.Conv2d;
import ai.djl.nn.norm.BatchNorm;
import ai.djl.nn.pooling.Pool;

import java.util.ArrayList;
import java.util.List;

/**
 * The building blocks of icetk's VQ-VAE (spec 01 §2.2) as libtorch operations through DJL, written the way the
 * Python module computes them: NCHW fp32 activations of any batch size, {@code torch.conv2d},
 * {@code F.interpolate(mode="nearest")}, {@code torch.bmm} and softmax for the attention block.
 *
 * <p>The same code serves inference (the bench baseline) and training (the trainer differentiates it), so no
 * operation here overwrites a tensor that autograd saves for the backward pass: in-place steps are used only on
 * fresh results whose producer does not need them (a sum, a convolution's output). Intermediates are closed as soon
 * as they are used; libtorch's autograd graph keeps its own reference to what it saved, so closing a handle never
 * breaks a backward pass, and at 480x480 an activation is over 100 MB.
 */
public final class LibtorchVqVaeBlocks {

    /** GroupNorm(32) with icetk's epsilon. */
    static final int GROUPS = 32;
    static final float NORM_EPS = 1e-6f;

    private LibtorchVqVaeBlocks() {
    }

    /** Builds blocks from parameters named as in {@code ice_image.pt}. */
    record Weights(LibtorchParams params) {

        NDArray get(String key) {
            return params.get(key);
        }

        boolean has(String key) {
            return params.has(key);
        }

        /** A stride-1 convolution with "same" padding for its kernel (3x3 → 1, 1x1 → 0). */
        Conv conv(String prefix) {
            NDArray w = get(prefix + ".weight");
            return new Conv(w, get(prefix + ".bias"), w.getShape().get(2) / 2);
        }

        GroupNorm norm(String prefix) {
            return new GroupNorm(get(prefix + ".weight"), get(prefix + ".bias"));
        }

        ResnetBlock resnet(String prefix) {
            Conv shortcut = has(prefix + ".nin_shortcut.weight") ? conv(prefix + ".nin_shortcut") : null;
            return new ResnetBlock(norm(prefix + ".norm1"), conv(prefix + ".conv1"), norm(prefix + ".norm2"),
                    conv(prefix + ".conv2"), shortcut);
        }

        /** The ResNet blocks {@code prefix.0, prefix.1, ...} that exist. */
        List<ResnetBlock> resnets(String prefix) {
            List<ResnetBlock> blocks = new ArrayList<>();
            for (int j = 0; has(prefix + "." + j + ".conv1.weight"); j++) {
                blocks.add(resnet(prefix + "." + j));
            }
            return blocks;
        }

        AttnBlock attention(String prefix) {
            return new AttnBlock(norm(prefix + ".norm"), conv(prefix + ".q"), conv(prefix + ".k"),
                    conv(prefix + ".v"), conv(prefix + ".proj_out"));
        }
    }

    /** {@code torch.conv2d(x, weight, bias, stride=1, padding=pad)}. */
    record Conv(NDArray weight, NDArray bias, long pad) {
        NDArray apply(NDArray x) {
            return Conv2d.conv2d(x, weight, bias, new Shape(1, 1), new Shape(pad, pad), new Shape(1, 1), 1)
                    .singletonOrThrow();
        }

        /** icetk's DownSample: zero-pad bottom and right by one, then a stride-2 convolution without padding. */
        NDArray downsample(NDArray x) {
            try (NDArray padded = x.pad(new Shape(0, 1, 0, 1), 0)) {
                return Conv2d.conv2d(padded, weight, bias, new Shape(2, 2), new Shape(0, 0), new Shape(1, 1), 1)
                        .singletonOrThrow();
            }
        }
    }

    /**
     * GroupNorm(32, eps 1e-6) with per-channel affine parameters. DJL 0.36 exposes no {@code group_norm}, so this is
     * the expression PyTorch itself used before it had a native kernel: view {@code [B, C, H, W]} as
     * {@code [1, B*32, C/32*H*W]} and run {@code batch_norm} in training mode, which normalises every "channel" (here
     * one group of one picture) by its own mean and biased variance; then the per-channel scale and shift. The
     * running statistics batch_norm insists on updating are fresh scratch tensors, so the block keeps no state and
     * is thread-safe.
     */
    record GroupNorm(NDArray gamma, NDArray beta) {
        NDArray apply(NDArray x) {
            Shape s = x.getShape();
            long channels = s.get(1);
            long groups = s.get(0) * GROUPS;
            NDManager m = x.getManager();
            NDArray normalized;
            try (NDArray grouped = x.reshape(1, groups, -1);
                 NDArray mean = m.zeros(new Shape(groups)); NDArray var = m.ones(new Shape(groups));
                 NDArray one = m.ones(new Shape(groups)); NDArray zero = m.zeros(new Shape(groups))) {
                normalized = BatchNorm.batchNorm(grouped, mean, var, one, zero, 1, 0.1f, NORM_EPS, true).singletonOrThrow();
            }
            try (NDArray planar = normalized.reshape(s); NDArray g = gamma.reshape(1, channels, 1, 1);
                 NDArray b = beta.reshape(1, channels, 1, 1)) {
                normalized.close();
                return planar.mul(g).addi(b);
            }
        }

        /** GroupNorm then swish ({@code x * sigmoid(x)}), the pair every block uses. */
        NDArray swish(NDArray x) {
            try (NDArray n = apply(x); NDArray sig = Activation.sigmoid(n)) {
                return n.mul(sig);
            }
        }
    }

    /** {@code x' + conv2(swish(norm2(conv1(swish(norm1(x))))))}, x' a 1x1 projection when the width changes. */
    record ResnetBlock(GroupNorm norm1, Conv conv1, GroupNorm norm2, Conv conv2, Conv ninShortcut) {
        NDArray apply(NDArray x) {
            NDArray h;
            try (NDArray a = norm1.swish(x)) {
                h = conv1.apply(a);
            }
            try (NDArray first = h; NDArray a = norm2.swish(first)) {
                h = conv2.apply(a);
            }
            if (ninShortcut == null) {
                return h.addi(x);
            }
            try (NDArray shortcut = ninShortcut.apply(x)) {
                return h.addi(shortcut);
            }
        }
    }

    /**
     * Single-head spatial self-attention as icetk's {@code AttnBlock} computes it: q, k, v 1x1 convolutions,
     * {@code w = bmm(q^T, k) * C^-0.5}, softmax over keys, {@code bmm(v, w^T)}, {@code proj_out}, plus the input.
     */
    record AttnBlock(GroupNorm norm, Conv q, Conv k, Conv v, Conv projOut) {
        NDArray apply(NDArray x) {
            Shape s = x.getShape();
            long b = s.get(0), c = s.get(1), positions = s.get(2) * s.get(3);
            NDArray context;
            try (NDArray a = norm.apply(x);
                 NDArray query = q.apply(a); NDArray key = k.apply(a); NDArray value = v.apply(a);
                 NDArray q3 = query.reshape(b, c, positions); NDArray qt = q3.transpose(0, 2, 1);
                 NDArray k3 = key.reshape(b, c, positions); NDArray v3 = value.reshape(b, c, positions);
                 NDArray raw = qt.matMul(k3); NDArray scores = raw.mul(1.0 / Math.sqrt(c));
                 NDArray weights = scores.softmax(2); NDArray wt = weights.transpose(0, 2, 1)) {
                context = v3.matMul(wt);
            }
            try (NDArray ctx = context; NDArray planar = ctx.reshape(s)) {
                return projOut.apply(planar).addi(x);
            }
        }
    }

    /** icetk's Upsample: nearest-neighbour doubling ({@code F.interpolate(scale_factor=2)}) then a 3x3 convolution. */
    static NDArray upsample(Conv conv, NDArray x) {
        Shape s = x.getShape();
        // DJL's interpolation mode 0 is torch's "nearest" (upsample_nearest2d: out[i][j] = in[i/2][j/2] when doubling).
        try (NDArray doubled = x.getNDArrayInternal().interpolation(new long[] {s.get(2) * 2, s.get(3) * 2}, 0, false)) {
            return conv.apply(doubled);
        }
    }

    /** icetk's ResidualDownSample: {@code avg_pool2d(x, 2) + DownSample(x)}. */
    static NDArray residualDownSample(Conv conv, NDArray x) {
        try (NDArray pooled = Pool.avgPool2d(x, new Shape(2, 2), new Shape(2, 2), new Shape(0, 0), false, true)) {
            return conv.downsample(x).addi(pooled);
        }
    }
}
