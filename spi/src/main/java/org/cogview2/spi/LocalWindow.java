package org.cogview2.spi;

/**
 * A 2D local-attention window of {@code rows x cols} key cells around an anchor, numbered row-major
 * {@code t = 0 .. size()-1} with row offset {@code t / cols - rows/2} and column offset {@code t % cols - cols/2}
 * (the Image-Local-Attention kernel's {@code cc2k}/{@code ck2c} numbering). A causal window keeps the first
 * {@code rows*cols/2 + 1} entries (everything up to and including the centre in raster order).
 *
 * <p>CogView2 uses a non-causal 9x5 self window on the 60x60 grid and a non-causal 5x5 cross window from the
 * 60x60 grid into the 20x20 grid.
 */
public record LocalWindow(int rows, int cols, boolean causal) {

    public LocalWindow {
        if (rows <= 0 || cols <= 0 || rows % 2 == 0 || cols % 2 == 0) {
            throw new IllegalArgumentException("window sides must be positive and odd, got " + rows + "x" + cols);
        }
    }

    /** The non-causal window {@code rows x cols}. */
    public static LocalWindow of(int rows, int cols) {
        return new LocalWindow(rows, cols, false);
    }

    /** Number of window entries (key cells per query). */
    public int size() {
        return causal ? rows * cols / 2 + 1 : rows * cols;
    }

    /** Row offset of entry {@code t} relative to the anchor. */
    public int rowOffset(int t) {
        return t / cols - rows / 2;
    }

    /** Column offset of entry {@code t} relative to the anchor. */
    public int colOffset(int t) {
        return t % cols - cols / 2;
    }
}
