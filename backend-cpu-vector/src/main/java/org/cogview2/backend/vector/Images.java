package org.cogview2.backend.vector;

import org.cogview2.spi.support.MathFamilies;
import org.cogview2.spi.Conv2dSpec;

/**
 * {@code conv2d} on {@link Gemm} (3x3 "same" by {@link Winograd}, 1x1 as a plain product, the rest by im2col);
 * {@code resizeNearest}; {@code avgPool2x2}.
 */
final class Images implements MathFamilies.Image<VTensor> {

    /** Upper bound on the floats of one im2col block. */
    private static final int COLUMN_BLOCK = 1 << 21;

    private final VectorBackend backend;

    Images(VectorBackend backend) {
        this.backend = backend;
    }

    /**
     * Three paths by shape, each writing the sum into the output planes, the bias added after it: 3x3 stride-1
     * padding-1 (every VQ-VAE convolution but the down-samplers) by Winograd F(2x2, 3x3); 1x1 stride-1 unpadded as
     * one product of the weight and the input planes; any other by im2col. Block sizes depend only on the shapes, so
     * results do not depend on the thread count.
     */
    @Override
    public void conv2d(VTensor out, VTensor x, VTensor w, VTensor bias, Conv2dSpec spec) {
        int batch = x.shape().dim(0);
        int channels = x.shape().dim(1);
        int height = x.shape().dim(2);
        int width = x.shape().dim(3);
        int outChannels = w.shape().dim(0);
        int kh = w.shape().dim(2);
        int kw = w.shape().dim(3);
        int outH = out.shape().dim(2);
        int outW = out.shape().dim(3);
        VTensor.Floats xd = x.floats();
        float[] y = out.f32();
        int outPlane = outH * outW;
        boolean share = backend.shareable(w);
        if (Winograd.applies(kh, kw, spec)) {
            Winograd.conv3x3(backend.workers(), share, xd.a(), xd.off(), batch, channels, height, width, w, outChannels, y);
        } else if (kh == 1 && kw == 1 && spec.stride() == 1 && outH == height && outW == width) {
            pointwise(xd, w, batch, channels, outChannels, outPlane, y, share);
        } else {
            im2colConv(xd, w, batch, channels, height, width, outChannels, kh, kw, spec, outH, outW, y, share);
        }
        addBias(bias, batch, outChannels, outPlane, y);
    }

    /** A 1x1 convolution without padding is the product {@code w [D, C]} x {@code x[b] [C, H*W]}: no patches to lay out. */
    private void pointwise(VTensor.Floats xd, VTensor w, int batch, int channels, int outChannels, int plane, float[] y,
                           boolean share) {
        Store.F32 input = new Store.F32(xd.a());
        for (int b = 0; b < batch; b++) {
            Gemm.multiply(backend.workers(), share, outChannels, plane, channels, Operand.of(w, 0, channels),
                    new Operand(input, xd.off() + (long) b * channels * plane, plane), false, y,
                    b * outChannels * plane, plane, null, 0);
        }
    }

    /**
     * For each image and block of output rows, the zero-padded input patches are laid out as a k-major matrix
     * {@code col[(c, i, j)][(oy, ox)]} and multiplied by the weight {@code [D, C*kh*kw]} (fp16/bf16 widened while
     * packing) straight into the output planes.
     */
    private void im2colConv(VTensor.Floats xd, VTensor w, int batch, int channels, int height, int width,
                            int outChannels, int kh, int kw, Conv2dSpec spec, int outH, int outW, float[] y,
                            boolean share) {
        int stride = spec.stride();
        int padTop = spec.padTop();
        int padLeft = spec.padLeft();
        int kk = channels * kh * kw;
        int outPlane = outH * outW;
        int rowsPerBlock = Math.max(1, Math.min(outH, COLUMN_BLOCK / Math.max(1, kk) / Math.max(1, outW)));
        float[] col = backend.pool().take(kk * rowsPerBlock * outW);
        Operand weight = Operand.of(w, 0, kk);
        for (int b = 0; b < batch; b++) {
            for (int oy0 = 0; oy0 < outH; oy0 += rowsPerBlock) {
                int rows = Math.min(rowsPerBlock, outH - oy0);
                int nb = rows * outW;
                int xPlaneBase = xd.off() + b * channels * height * width;
                int firstRow = oy0;
                backend.workers().run(channels, (long) kk * nb, c -> im2col(xd.a(), xPlaneBase + c * height * width,
                        height, width, kh, kw, stride, padTop, padLeft, firstRow, rows, outW, col, c * kh * kw, nb));
                Gemm.multiply(backend.workers(), share, outChannels, nb, kk, weight,
                        new Operand(new Store.F32(col), 0, nb), false, y, b * outChannels * outPlane + oy0 * outW,
                        outPlane, null, 0);
            }
        }
        backend.pool().give(col);
    }

    private void addBias(VTensor bias, int batch, int outChannels, int outPlane, float[] y) {
        if (bias != null) {
            VTensor.Floats bd = bias.floats();
            // The bias is one per output channel (a row of the product), added after the sum.
            backend.workers().run(batch * outChannels, (long) batch * outChannels * outPlane, p -> {
                float bv = bd.a()[bd.off() + p % outChannels];
                int o = p * outPlane;
                for (int i = 0; i < outPlane; i++) {
                    y[o + i] = y[o + i] + bv;
                }
            });
        }
    }

    /** Rows {@code (c, i, j)} of the column matrix for one input channel: patches of output rows [oy0, oy0+rows). */
    private static void im2col(float[] x, int plane, int height, int width, int kh, int kw, int stride, int padTop,
                               int padLeft, int oy0, int rows, int outW, float[] col, int firstColRow, int nb) {
        for (int i = 0; i < kh; i++) {
            for (int j = 0; j < kw; j++) {
                int dst = (firstColRow + i * kw + j) * nb;
                for (int r = 0; r < rows; r++) {
                    int iy = (oy0 + r) * stride + i - padTop;
                    int o = dst + r * outW;
                    if (iy < 0 || iy >= height) {
                        java.util.Arrays.fill(col, o, o + outW, 0f);
                        continue;
                    }
                    int src = plane + iy * width;
                    for (int ox = 0; ox < outW; ox++) {
                        int ix = ox * stride + j - padLeft;
                        col[o + ox] = ix >= 0 && ix < width ? x[src + ix] : 0f;
                    }
                }
            }
        }
    }

    /** PyTorch's nearest rule with the fp32 scale; values copied exactly. */
    @Override
    public void resizeNearest(VTensor out, VTensor x) {
        int planes = x.shape().dim(0) * x.shape().dim(1);
        int height = x.shape().dim(2);
        int width = x.shape().dim(3);
        int outH = out.shape().dim(2);
        int outW = out.shape().dim(3);
        int[] rowsIdx = sourceIndices(height, outH);
        int[] cols = sourceIndices(width, outW);
        VTensor.Floats xd = x.floats();
        float[] y = out.f32();
        backend.workers().run(planes, (long) planes * outH * outW, p -> {
            for (int i = 0; i < outH; i++) {
                int src = xd.off() + p * height * width + rowsIdx[i] * width;
                int dst = (p * outH + i) * outW;
                for (int j = 0; j < outW; j++) {
                    y[dst + j] = xd.a()[src + cols[j]];
                }
            }
        });
    }

    private static int[] sourceIndices(int in, int out) {
        float scale = (float) in / out;
        int[] idx = new int[out];
        for (int i = 0; i < out; i++) {
            idx[i] = Math.min((int) Math.floor((float) i * scale), in - 1);
        }
        return idx;
    }

    /** {@code (((x00 + x01) + x10) + x11) / 4} in fp32. */
    @Override
    public void avgPool2x2(VTensor out, VTensor x) {
        int height = x.shape().dim(2);
        int width = x.shape().dim(3);
        int outH = height / 2;
        int outW = width / 2;
        int planes = x.shape().dim(0) * x.shape().dim(1);
        VTensor.Floats xd = x.floats();
        float[] y = out.f32();
        float[] in = xd.a();
        backend.workers().run(planes, 4L * planes * outH * outW, p -> {
            for (int oy = 0; oy < outH; oy++) {
                int top = xd.off() + p * height * width + 2 * oy * width;
                int bottom = top + width;
                int dst = (p * outH + oy) * outW;
                for (int ox = 0; ox < outW; ox++) {
                    float sum = in[top + 2 * ox] + in[top + 2 * ox + 1] + in[bottom + 2 * ox] + in[bottom + 2 * ox + 1];
                    y[dst + ox] = sum / 4f;
                }
            }
        });
    }
}
