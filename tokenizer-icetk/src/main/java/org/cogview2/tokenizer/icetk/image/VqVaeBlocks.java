package org.cogview2.tokenizer.icetk.image;

import org.cogview2.spi.Conv2dSpec;
import org.cogview2.spi.Kernels;
import org.cogview2.spi.Shape;
import org.cogview2.spi.Tensor;
import org.cogview2.spi.TensorScope;

/**
 * The building blocks of icetk's VQ-VAE (spec 01 §2.2), each a record of its parameters with a forward method.
 * Activations are {@code [B, C, H, W]}.
 */
final class VqVaeBlocks {

    /** GroupNorm(32) with icetk's epsilon. */
    static final int GROUPS = 32;
    static final float NORM_EPS = 1e-6f;

    private VqVaeBlocks() {
    }

    record Conv(Tensor weight, Tensor bias) {
        /** Stride 1, "same" zero padding for the kernel size (3x3 → 1, 1x1 → 0). */
        Tensor same(Kernels k, TensorScope s, Tensor x) {
            int pad = weight.shape().dim(2) / 2;
            return k.conv2d(s, x, weight, bias, Conv2dSpec.same(pad));
        }

        Tensor apply(Kernels k, TensorScope s, Tensor x, Conv2dSpec spec) {
            return k.conv2d(s, x, weight, bias, spec);
        }
    }

    record GroupNorm(Tensor weight, Tensor bias) {
        Tensor apply(Kernels k, TensorScope s, Tensor x) {
            return k.groupNorm(s, x, GROUPS, weight, bias, NORM_EPS);
        }

        /** GroupNorm then swish, the pair every block uses. */
        Tensor swish(Kernels k, TensorScope s, Tensor x) {
            try (TensorScope tmp = s.backend().newScope()) {
                return k.silu(s, apply(k, tmp, x));
            }
        }
    }

    /** {@code x' + conv2(swish(norm2(conv1(swish(norm1(x))))))}, x' a 1x1 projection when the width changes. */
    record ResnetBlock(GroupNorm norm1, Conv conv1, GroupNorm norm2, Conv conv2, Conv ninShortcut) {
        Tensor apply(Kernels k, TensorScope s, Tensor x) {
            try (TensorScope tmp = s.backend().newScope()) {
                Tensor h = conv1.same(k, tmp, norm1.swish(k, tmp, x));
                h = conv2.same(k, tmp, norm2.swish(k, tmp, h));
                Tensor shortcut = ninShortcut == null ? x : ninShortcut.same(k, tmp, x);
                return k.add(s, shortcut, h);
            }
        }
    }

    /**
     * Single-head spatial self-attention: {@code x + proj_out(softmax(q k^T / sqrt(C)) v)} over the H*W positions in
     * raster order. (The official block scales the product by {@code C^-0.5}; the attention kernel scales q first:
     * the same value up to rounding.)
     */
    record AttnBlock(GroupNorm norm, Conv q, Conv k, Conv v, Conv projOut) {
        Tensor apply(Kernels kernels, TensorScope s, Tensor x) {
            int[] d = x.shape().dims();
            int b = d[0], c = d[1], h = d[2], w = d[3];
            try (TensorScope tmp = s.backend().newScope()) {
                Tensor a = norm.apply(kernels, tmp, x);
                Tensor query = tokens(kernels, tmp, q.same(kernels, tmp, a));
                Tensor key = tokens(kernels, tmp, k.same(kernels, tmp, a));
                Tensor value = tokens(kernels, tmp, v.same(kernels, tmp, a));
                Tensor context = kernels.attention(tmp, query, key, value, 1, h * w, null, null);
                Tensor planar = tmp.reshape(kernels.permute(tmp, context, 0, 2, 1), Shape.of(b, c, h, w));
                return kernels.add(s, x, projOut.same(kernels, tmp, planar));
            }
        }

        /** {@code [B, C, H, W]} to position-major {@code [B, H*W, C]}. */
        private static Tensor tokens(Kernels k, TensorScope s, Tensor x) {
            int[] d = x.shape().dims();
            return k.permute(s, s.reshape(x, Shape.of(d[0], d[1], d[2] * d[3])), 0, 2, 1);
        }
    }

    /** Zero-pad bottom/right by one, then a stride-2 3x3 convolution with no padding (icetk's DownSample). */
    static final Conv2dSpec DOWNSAMPLE = new Conv2dSpec(2, 0, 0, 1, 1);

    /** Nearest-neighbour doubling then a 3x3 convolution (icetk's Upsample). */
    static Tensor upsample(Kernels k, TensorScope s, Conv conv, Tensor x) {
        try (TensorScope tmp = s.backend().newScope()) {
            int[] d = x.shape().dims();
            return conv.same(k, s, k.resizeNearest(tmp, x, d[2] * 2, d[3] * 2));
        }
    }
}
