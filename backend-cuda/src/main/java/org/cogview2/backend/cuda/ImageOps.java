package org.cogview2.backend.cuda;

import org.cogview2.spi.Conv2dSpec;
import org.cogview2.spi.Shape;
import org.cogview2.spi.Tensor;
import org.cogview2.spi.TensorScope;

/** The VQ-VAE image operations: {@code conv2d} (an implicit GEMM), {@code resizeNearest} and {@code avgPool2x2}. */
final class ImageOps {

    static final int THREADS = 256;

    private final CudaBackend backend;
    private final Launcher launcher;
    private final DenseOps dense;

    ImageOps(CudaBackend backend, DenseOps dense) {
        this.backend = backend;
        this.launcher = backend.launcher();
        this.dense = dense;
    }

    /**
     * Zero-padded cross-correlation as a GEMM: output channels x (batch, output pixels) = weight [D, C*kh*kw] times
     * the unfolded input, read on the fly (nothing is materialised); the bias is added after the sum.
     */
    Tensor conv2d(TensorScope into, Tensor xIn, Tensor weightIn, Tensor biasIn, Conv2dSpec spec) {
        String k = "conv2d";
        CudaScope scope = backend.ownScope(k, into);
        CudaTensor x = backend.own(k, "x", xIn);
        CudaTensor w = backend.own(k, "weight", weightIn);
        Args.f32(k, "x", x);
        Args.rank(k, "x", x, 4, "[B, C, H, W]");
        Args.floating(k, "weight", w);
        Args.rank(k, "weight", w, 4, "[D, C, kh, kw]");
        if (spec == null) {
            throw Args.fail(k, "spec must not be null");
        }
        int batch = x.shape().dim(0);
        int channels = x.shape().dim(1);
        int height = x.shape().dim(2);
        int width = x.shape().dim(3);
        int outChannels = w.shape().dim(0);
        int kh = w.shape().dim(2);
        int kw = w.shape().dim(3);
        if (w.shape().dim(1) != channels) {
            throw Args.fail(k, "weight must have C = " + channels + " input channels (dimension 1 of x " + x.shape()
                    + ") in dimension 1, got " + w.describe());
        }
        CudaTensor bias = null;
        if (biasIn != null) {
            bias = backend.own(k, "bias", biasIn);
            Args.floating(k, "bias", bias);
            Args.shape(k, "bias", bias, Shape.of(outChannels), "(one per output channel of weight " + w.shape() + ")");
        }
        int stride = spec.stride();
        long paddedH = (long) height + spec.padTop() + spec.padBottom();
        long paddedW = (long) width + spec.padLeft() + spec.padRight();
        if (paddedH < kh || paddedW < kw || kh == 0 || kw == 0) {
            throw Args.fail(k, "the " + kh + "x" + kw + " kernel does not fit the padded input " + paddedH + "x"
                    + paddedW + " (x " + x.shape() + ", " + spec + ")");
        }
        int outH = (int) ((paddedH - kh) / stride + 1);
        int outW = (int) ((paddedW - kw) / stride + 1);
        CudaTensor out = scope.allocateF32(Shape.of(batch, outChannels, outH, outW));
        backend.enter();
        long columns = (long) batch * outH * outW;
        if (columns == 0 || outChannels == 0) {
            return out;
        }
        if (columns > Integer.MAX_VALUE || (long) channels * kh * kw > Integer.MAX_VALUE) {
            throw new org.cogview2.spi.BackendException(k + ": the convolution " + x.shape() + " * " + w.shape()
                    + " is too large for one launch");
        }
        int tile = dense.tileFor(outChannels, columns, 1);
        Kernel kernel = switch (w.dtype()) {
            case F16 -> tile == 128 ? Kernel.CONV2D_F16_L : Kernel.CONV2D_F16_S;
            case BF16 -> tile == 128 ? Kernel.CONV2D_BF16_L : Kernel.CONV2D_BF16_S;
            default -> tile == 128 ? Kernel.CONV2D_F32_L : Kernel.CONV2D_F32_S;
        };
        launcher.launch(kernel, DenseOps.ceilDiv(columns, tile), DenseOps.ceilDiv(outChannels, tile), 1,
                DenseOps.THREADS, 0, x, w, bias, bias == null ? 0 : bias.dtype().ordinal(), out, batch, channels, height,
                width, outChannels, kh, kw, stride, spec.padTop(), spec.padLeft(), outH, outW);
        return out;
    }

    /** PyTorch's nearest rule with the fp32 scale, evaluated per output element on the device. */
    Tensor resizeNearest(TensorScope into, Tensor xIn, int outH, int outW) {
        String k = "resizeNearest";
        CudaScope scope = backend.ownScope(k, into);
        CudaTensor x = backend.own(k, "x", xIn);
        Args.f32(k, "x", x);
        Args.rank(k, "x", x, 4, "[B, C, H, W]");
        Args.positive(k, "outH", outH);
        Args.positive(k, "outW", outW);
        int height = x.shape().dim(2);
        int width = x.shape().dim(3);
        if (height == 0 || width == 0) {
            throw Args.fail(k, "x must have a non-empty image, got " + x.describe());
        }
        long planes = (long) x.shape().dim(0) * x.shape().dim(1);
        CudaTensor out = scope.allocateF32(Shape.of(x.shape().dim(0), x.shape().dim(1), outH, outW));
        backend.enter();
        launcher.launch1d(Kernel.RESIZE_NEAREST, Launcher.gridFor(out.count(), THREADS), THREADS, x, out, planes,
                height, width, outH, outW);
        return out;
    }

    /** {@code (((x00 + x01) + x10) + x11) / 4} over each 2x2 block. */
    Tensor avgPool2x2(TensorScope into, Tensor xIn) {
        String k = "avgPool2x2";
        CudaScope scope = backend.ownScope(k, into);
        CudaTensor x = backend.own(k, "x", xIn);
        Args.f32(k, "x", x);
        Args.rank(k, "x", x, 4, "[B, C, H, W]");
        int height = x.shape().dim(2);
        int width = x.shape().dim(3);
        if (height % 2 != 0 || width % 2 != 0) {
            throw Args.fail(k, "x must have an even height and width, got " + x.describe());
        }
        long planes = (long) x.shape().dim(0) * x.shape().dim(1);
        CudaTensor out = scope.allocateF32(Shape.of(x.shape().dim(0), x.shape().dim(1), height / 2, width / 2));
        backend.enter();
        launcher.launch1d(Kernel.AVG_POOL_2X2, Launcher.gridFor(out.count(), THREADS), THREADS, x, out, planes, height,
                width);
        return out;
    }
}
