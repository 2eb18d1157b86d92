package org.cogview2.backend.cuda;

import org.cogview2.spi.support.MathFamilies;
import org.cogview2.spi.BackendException;
import org.cogview2.spi.Conv2dSpec;

/**
 * The VQ-VAE image operations: {@code conv2d} (an implicit GEMM), {@code resizeNearest} and {@code avgPool2x2}.
 * Arguments arrive checked ({@link org.cogview2.spi.support.CheckedKernels}); each method writes every element of
 * {@code out}.
 */
final class ImageOps implements MathFamilies.Image<CudaTensor> {

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
    @Override
    public void conv2d(CudaTensor out, CudaTensor x, CudaTensor w, CudaTensor bias, Conv2dSpec spec) {
        String k = "conv2d";
        int batch = x.shape().dim(0);
        int channels = x.shape().dim(1);
        int height = x.shape().dim(2);
        int width = x.shape().dim(3);
        int outChannels = w.shape().dim(0);
        int kh = w.shape().dim(2);
        int kw = w.shape().dim(3);
        int stride = spec.stride();
        int outH = out.shape().dim(2);
        int outW = out.shape().dim(3);
        backend.enter();
        long columns = (long) batch * outH * outW;
        if (columns == 0 || outChannels == 0) {
            return;
        }
        if (columns > Integer.MAX_VALUE || (long) channels * kh * kw > Integer.MAX_VALUE) {
            throw new BackendException(k + ": the convolution " + x.shape() + " * " + w.shape()
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
    }

    /** PyTorch's nearest rule with the fp32 scale, evaluated per output element on the device. */
    @Override
    public void resizeNearest(CudaTensor out, CudaTensor x) {
        int height = x.shape().dim(2);
        int width = x.shape().dim(3);
        long planes = (long) x.shape().dim(0) * x.shape().dim(1);
        backend.enter();
        launcher.launch1d(Kernel.RESIZE_NEAREST, Launcher.gridFor(out.count(), THREADS), THREADS, x, out, planes,
                height, width, out.shape().dim(2), out.shape().dim(3));
    }

    /** {@code (((x00 + x01) + x10) + x11) / 4} over each 2x2 block. */
    @Override
    public void avgPool2x2(CudaTensor out, CudaTensor x) {
        int height = x.shape().dim(2);
        int width = x.shape().dim(3);
        long planes = (long) x.shape().dim(0) * x.shape().dim(1);
        backend.enter();
        launcher.launch1d(Kernel.AVG_POOL_2X2, Launcher.gridFor(out.count(), THREADS), THREADS, x, out, planes, height,
                width);
    }
}
