package org.cogview2.benchmarks.libtorch;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.Activation;
import ai.djl.nn.convolutional.Conv2d;
import ai.djl.nn.norm.BatchNorm;
import org.cogview2.checkpoint.StoredTensor;

import java.util.Map;

/**
 * The building blocks of icetk's VQ-VAE decoder (spec 01 §2.2) as libtorch operations through DJL, written the way
 * the Python module computes them: NCHW fp32 activations, {@code torch.conv2d}, {@code F.interpolate(mode="nearest")},
 * {@code torch.bmm} and softmax for the attention block.
 *
 * <p>Every method returns a new array in the manager of its input and closes what it allocated on the way, so an
 * activation lives only as long as it does in Python (where reference counting frees it): at 480x480 one activation
 * is over 100 MB.
 */
final class LibtorchVqVaeBlocks {

    /** GroupNorm(32) with icetk's epsilon. */
    static final int GROUPS = 32;
    static final float NORM_EPS = 1e-6f;

    private LibtorchVqVaeBlocks() {
    }

    /** Reads parameters by state-dict name, widened to fp32 (libtorch's fast CPU path) into {@code manager}. */
    record Weights(NDManager manager, Map<String, StoredTensor> stateDict) {

        NDArray get(String key) {
            return LibtorchOps.tensor(manager, stateDict, key);
        }

        boolean has(String key) {
            return stateDict.containsKey(key);
        }

        /** A stride-1 convolution with "same" padding for its kernel (3x3 → 1, 1x1 → 0). */
        Conv conv(String prefix) {
            NDArray w = get(prefix + ".weight");
            return new Conv(w, get(prefix + ".bias"), w.getShape().get(2) / 2);
        }

        GroupNorm norm(String prefix, GroupStatistics stats) {
            NDArray c = get(prefix + ".weight");
            long channels = c.getShape().get(0);
            // [1, C, 1, 1] so that the affine step broadcasts over the batch and the picture.
            return new GroupNorm(c.reshape(1, channels, 1, 1), get(prefix + ".bias").reshape(1, channels, 1, 1), stats);
        }

        ResnetBlock resnet(String prefix, GroupStatistics stats) {
            Conv shortcut = has(prefix + ".nin_shortcut.weight") ? conv(prefix + ".nin_shortcut") : null;
            return new ResnetBlock(norm(prefix + ".norm1", stats), conv(prefix + ".conv1"),
                    norm(prefix + ".norm2", stats), conv(prefix + ".conv2"), shortcut);
        }

        AttnBlock attention(String prefix, GroupStatistics stats) {
            return new AttnBlock(norm(prefix + ".norm", stats), conv(prefix + ".q"), conv(prefix + ".k"),
                    conv(prefix + ".v"), conv(prefix + ".proj_out"));
        }
    }

    /** {@code torch.conv2d(x, weight, bias, stride=1, padding=pad)}. */
    record Conv(NDArray weight, NDArray bias, long pad) {
        NDArray apply(NDArray x) {
            return Conv2d.conv2d(x, weight, bias, new Shape(1, 1), new Shape(pad, pad), new Shape(1, 1), 1)
                    .singletonOrThrow();
        }
    }

    /**
     * The small tensors libtorch's {@code batch_norm} needs to compute GroupNorm statistics (see {@link GroupNorm}):
     * running statistics it updates and never reads in training mode, unit scale and zero shift, one per group of a
     * batch-1 activation. Mutated by every call, so a model using them is not thread-safe.
     */
    record GroupStatistics(NDArray runningMean, NDArray runningVar, NDArray ones, NDArray zeros) {
        static GroupStatistics create(NDManager manager) {
            return new GroupStatistics(manager.zeros(new Shape(GROUPS)), manager.ones(new Shape(GROUPS)),
                    manager.ones(new Shape(GROUPS)), manager.zeros(new Shape(GROUPS)));
        }
    }

    /**
     * GroupNorm(32, eps 1e-6) with per-channel affine parameters. DJL 0.36 exposes no {@code group_norm}, so this is
     * the expression PyTorch itself used before it had a native kernel: view {@code [1, C, H, W]} as
     * {@code [1, 32, C/32*H*W]} and run {@code batch_norm} in training mode, which normalises every "channel" (here
     * a group) by its own mean and biased variance; then the per-channel scale and shift in place.
     */
    record GroupNorm(NDArray gamma, NDArray beta, GroupStatistics stats) {
        NDArray apply(NDArray x) {
            Shape s = x.getShape();
            if (s.get(0) != 1) {
                throw new IllegalArgumentException("batch 1 only, got " + s);
            }
            NDArray normalized;
            try (NDArray grouped = x.reshape(1, GROUPS, -1)) {
                normalized = BatchNorm.batchNorm(grouped, stats.runningMean(), stats.runningVar(), stats.ones(),
                        stats.zeros(), 1, 0.1f, NORM_EPS, true).singletonOrThrow();
            }
            NDArray planar = normalized.reshape(s);
            normalized.close();
            return planar.muli(gamma).addi(beta);
        }

        /**
         * GroupNorm then swish ({@code x * sigmoid(x)}), the pair every block uses: torch's sigmoid then an in-place
         * product (DJL's {@code Activation.swish} would add a third pass, the product by its beta).
         */
        NDArray swish(NDArray x) {
            try (NDArray n = apply(x)) {
                return Activation.sigmoid(n).muli(n);
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
                 NDArray scores = qt.matMul(k3)) {
                scores.muli(1.0 / Math.sqrt(c));
                try (NDArray weights = scores.softmax(2); NDArray wt = weights.transpose(0, 2, 1)) {
                    context = v3.matMul(wt);
                }
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
}
