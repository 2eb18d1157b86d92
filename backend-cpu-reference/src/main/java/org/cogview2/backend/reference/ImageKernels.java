package org.cogview2.backend.reference;

import org.cogview2.spi.support.MathFamilies;
import org.cogview2.spi.Conv2dSpec;

/** The VQ-VAE image operations: {@code conv2d}, {@code resizeNearest} and {@code avgPool2x2}. */
final class ImageKernels implements MathFamilies.Image<ReferenceTensor> {

    private final Parallel parallel;

    ImageKernels(Parallel parallel) {
        this.parallel = parallel;
    }

    /**
     * Cross-correlation with zero padding: {@code out[b][d][oy][ox] = (sum over c, i, j of
     * w[d][c][i][j] * x[b][c][oy*s+i-padTop][ox*s+j-padLeft]) + bias[d]}, the sum in fp32 over (c, i, j) in
     * row-major order of the weight, terms that fall on the zero padding skipped; the bias is added after the sum.
     * One task computes all output channels of one output row {@code (b, oy)}; the innermost loop runs over ox.
     */
    @Override
    public void conv2d(ReferenceTensor out, ReferenceTensor x, ReferenceTensor w, ReferenceTensor bias, Conv2dSpec spec) {
        int batch = x.shape().dim(0);
        int channels = x.shape().dim(1);
        int height = x.shape().dim(2);
        int width = x.shape().dim(3);
        int outChannels = w.shape().dim(0);
        int kh = w.shape().dim(2);
        int kw = w.shape().dim(3);
        int stride = spec.stride();
        int padTop = spec.padTop();
        int padLeft = spec.padLeft();
        int outH = out.shape().dim(2);
        int outW = out.shape().dim(3);
        ReferenceTensor.FloatData xd = x.floats();
        ReferenceTensor.FloatData wd = w.floats();
        ReferenceTensor.FloatData bd = bias == null ? null : bias.floats();
        float[] y = out.f32Array();
        int plane = height * width;
        int outPlane = outH * outW;
        parallel.forRows(batch * outH, (long) outChannels * channels * kh * kw * outW, (from, to) -> {
            for (int row = from; row < to; row++) {
                int b = row / outH;
                int oy = row % outH;
                for (int d = 0; d < outChannels; d++) {
                    int yOff = (b * outChannels + d) * outPlane + oy * outW;
                    for (int c = 0; c < channels; c++) {
                        int xPlane = xd.offset() + (b * channels + c) * plane;
                        for (int i = 0; i < kh; i++) {
                            int iy = oy * stride + i - padTop;
                            if (iy < 0 || iy >= height) {
                                continue;
                            }
                            int xRow = xPlane + iy * width;
                            for (int j = 0; j < kw; j++) {
                                float wv = wd.data()[wd.offset() + ((d * channels + c) * kh + i) * kw + j];
                                // Output columns whose input column ox*stride + j - padLeft lies inside [0, width).
                                int shift = j - padLeft;
                                int first = shift >= 0 ? 0 : (-shift + stride - 1) / stride;
                                int last = Math.min(outW - 1, Math.floorDiv(width - 1 - shift, stride));
                                if (stride == 1) {
                                    for (int ox = first; ox <= last; ox++) {
                                        y[yOff + ox] += wv * xd.data()[xRow + ox + shift];
                                    }
                                } else {
                                    for (int ox = first; ox <= last; ox++) {
                                        y[yOff + ox] += wv * xd.data()[xRow + ox * stride + shift];
                                    }
                                }
                            }
                        }
                    }
                    if (bd != null) {
                        float bv = bd.data()[bd.offset() + d];
                        for (int ox = 0; ox < outW; ox++) {
                            y[yOff + ox] = y[yOff + ox] + bv;
                        }
                    }
                }
            }
        });
    }

    /**
     * PyTorch's nearest rule: source row {@code min(floor(i * scale), H - 1)} with {@code scale = H / (float) outH}
     * and the product {@code i * scale} in fp32 (likewise columns). Values are copied exactly.
     */
    @Override
    public void resizeNearest(ReferenceTensor out, ReferenceTensor x) {
        int outH = out.shape().dim(2);
        int outW = out.shape().dim(3);
        int planes = x.shape().dim(0) * x.shape().dim(1);
        int height = x.shape().dim(2);
        int width = x.shape().dim(3);
        int[] rows = sourceIndices(height, outH);
        int[] cols = sourceIndices(width, outW);
        ReferenceTensor.FloatData xd = x.floats();
        float[] y = out.f32Array();
        parallel.forRows(planes * outH, outW, (from, to) -> {
            for (int row = from; row < to; row++) {
                int p = row / outH;
                int src = xd.offset() + p * height * width + rows[row % outH] * width;
                for (int j = 0; j < outW; j++) {
                    y[row * outW + j] = xd.data()[src + cols[j]];
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

    /** {@code out = (((x00 + x01) + x10) + x11) / 4} in fp32 over each 2x2 block. */
    @Override
    public void avgPool2x2(ReferenceTensor out, ReferenceTensor x) {
        int height = x.shape().dim(2);
        int width = x.shape().dim(3);
        int outH = height / 2;
        int outW = width / 2;
        int planes = x.shape().dim(0) * x.shape().dim(1);
        ReferenceTensor.FloatData xd = x.floats();
        float[] y = out.f32Array();
        float[] in = xd.data();
        parallel.forRows(planes * outH, 4L * outW, (from, to) -> {
            for (int row = from; row < to; row++) {
                int p = row / outH;
                int oy = row % outH;
                int top = xd.offset() + p * height * width + 2 * oy * width;
                int bottom = top + width;
                for (int ox = 0; ox < outW; ox++) {
                    float sum = in[top + 2 * ox] + in[top + 2 * ox + 1] + in[bottom + 2 * ox] + in[bottom + 2 * ox + 1];
                    y[row * outW + ox] = sum / 4f;
                }
            }
        });
    }
}
