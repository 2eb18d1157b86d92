package org.cogview2.dataset;

import java.awt.image.BufferedImage;

/** Pixel checks shared by the tests. */
public final class TestImages {

    private TestImages() {
    }

    public static boolean isWhite(BufferedImage image, int x, int y) {
        return (image.getRGB(x, y) & 0xFFFFFF) == 0xFFFFFF;
    }

    /** The RGB of a pixel as {r, g, b}. */
    public static int[] rgb(BufferedImage image, int x, int y) {
        int v = image.getRGB(x, y);
        return new int[]{(v >> 16) & 0xFF, (v >> 8) & 0xFF, v & 0xFF};
    }
}
