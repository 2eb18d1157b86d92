package org.cogview2.spi;

/**
 * Stride and zero padding of a 2D convolution. Padding may be asymmetric: the VQ-VAE down-sampler pads by 0 on
 * top/left and 1 on bottom/right before a stride-2, padding-0 convolution.
 */
public record Conv2dSpec(int stride, int padTop, int padLeft, int padBottom, int padRight) {

    public Conv2dSpec {
        if (stride <= 0 || padTop < 0 || padLeft < 0 || padBottom < 0 || padRight < 0) {
            throw new IllegalArgumentException("invalid convolution spec " + this);
        }
    }

    /** Stride 1 with {@code padding} zeros on every side ("same" for a 3x3 kernel with padding 1). */
    public static Conv2dSpec same(int padding) {
        return new Conv2dSpec(1, padding, padding, padding, padding);
    }
}
