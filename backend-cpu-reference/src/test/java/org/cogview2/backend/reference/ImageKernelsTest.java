package org.cogview2.backend.reference;

import org.cogview2.spi.Conv2dSpec;
import org.cogview2.spi.DType;
import org.cogview2.spi.Tensor;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;

class ImageKernelsTest extends KernelTestBase {

    @Test
    void conv2dIsCrossCorrelationPlusBias() {
        // x 3x3 = 1..9, kernel [[1, 0], [0, -1]]: out[i][j] = x[i][j] - x[i+1][j+1] = -4 everywhere
        Tensor x = t(s(1, 1, 3, 3), 1, 2, 3, 4, 5, 6, 7, 8, 9);
        Tensor w = t(s(2, 1, 2, 2), 1, 0, 0, -1, 0, 1, 0, 0);
        Tensor y = k.conv2d(scope, x, w, t(s(2), 0.5f, 0), new Conv2dSpec(1, 0, 0, 0, 0));
        assertEquals(s(1, 2, 2, 2), y.shape());
        // channel 1 picks x[i][j+1]
        Expect.exact(f(-3.5f, -3.5f, -3.5f, -3.5f, 2, 3, 5, 6), read(y));
    }

    @Test
    void conv2dSamePaddingZeroPadsBorders() {
        Tensor x = t(s(1, 1, 2, 2), 1, 2, 3, 4);
        Tensor ones = t(s(1, 1, 3, 3), 1, 1, 1, 1, 1, 1, 1, 1, 1);
        // every 3x3 window of a 2x2 image with zero padding covers the whole image
        Expect.exact(f(10, 10, 10, 10), read(k.conv2d(scope, x, ones, null, Conv2dSpec.same(1))));
    }

    /** The VQ-VAE down-sampler: pad 0 top/left and 1 bottom/right, then stride 2: same as padding by hand. */
    @Test
    void conv2dAsymmetricPaddingStride2EqualsExplicitPadding() {
        int c = 2;
        int h = 6;
        int w = 5;
        float[] xv = random(5, c * h * w);
        float[] wv = random(6, 3 * c * 3 * 3);
        Tensor weight = t(s(3, c, 3, 3), wv);
        Tensor y = k.conv2d(scope, t(s(1, c, h, w), xv), weight, t(s(3), 1, 2, 3), new Conv2dSpec(2, 0, 0, 1, 1));
        assertEquals(s(1, 3, 3, 2), y.shape()); // (6 + 0 + 1 - 3) / 2 + 1 = 3 rows, (5 + 1 - 3) / 2 + 1 = 2 columns
        float[] padded = new float[c * (h + 1) * (w + 1)];
        for (int ch = 0; ch < c; ch++) {
            for (int i = 0; i < h; i++) {
                System.arraycopy(xv, (ch * h + i) * w, padded, (ch * (h + 1) + i) * (w + 1), w);
            }
        }
        Tensor explicit = k.conv2d(scope, t(s(1, c, h + 1, w + 1), padded), weight, t(s(3), 1, 2, 3),
                new Conv2dSpec(2, 0, 0, 0, 0));
        Expect.bitwise(read(explicit), read(y), "asymmetric padding");
    }

    @Test
    void conv2dWidensHalfWeights() {
        Tensor x = t(s(1, 1, 1, 2), 1, 1);
        Tensor w = half(DType.F16, s(1, 1, 1, 1), 0.1f);
        float tenth = Float.float16ToFloat(Float.floatToFloat16(0.1f));
        Expect.exact(f(tenth, tenth), read(k.conv2d(scope, x, w, null, Conv2dSpec.same(0))));
    }

    @Test
    void resizeNearestUsesTheFp32ScaleRule() {
        // 3 -> 2: scale 1.5, rows floor(0) = 0, floor(1.5) = 1
        Tensor x = t(s(1, 1, 1, 3), 10, 20, 30);
        Expect.exact(f(10, 20), read(k.resizeNearest(scope, x, 1, 2)));
        // doubling
        Expect.exact(f(10, 10, 20, 20, 30, 30), read(k.resizeNearest(scope, x, 1, 6)));
        // 160 -> 480 picks floor(i / 3)
        float[] row = new float[160];
        for (int i = 0; i < 160; i++) {
            row[i] = i;
        }
        float[] y = read(k.resizeNearest(scope, t(s(1, 1, 1, 160), row), 1, 480));
        for (int j = 0; j < 480; j++) {
            assertEquals(j / 3, y[j], "column " + j);
        }
    }

    @Test
    void avgPool2x2AveragesBlocks() {
        Tensor x = t(s(1, 1, 2, 4), 1, 2, 3, 4, 5, 6, 7, 9);
        Expect.exact(f(3.5f, 5.75f), read(k.avgPool2x2(scope, x)));
    }
}
