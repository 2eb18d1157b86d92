package org.cogview2.api;

import java.util.Arrays;

/**
 * A square grid of image token ids ({@code 0 .. 19999}) in raster order: cell {@code (row, col)} is
 * {@code ids[row * side + col]}. CogView2 works with 20x20 grids (stage 1, 160x160 pixels) and 60x60 grids
 * (super-resolution, 480x480 pixels). Immutable.
 */
public final class TokenGrid {

    private final int side;
    private final int[] ids;

    private TokenGrid(int side, int[] ids) {
        this.side = side;
        this.ids = ids;
    }

    /** A grid from {@code side * side} ids. */
    public static TokenGrid of(int side, int[] ids) {
        if (side <= 0 || ids.length != (long) side * side) {
            throw new InvalidInputException("a " + side + "x" + side + " token grid needs " + ((long) side * side)
                    + " ids, got " + ids.length);
        }
        for (int i = 0; i < ids.length; i++) {
            if (ids[i] < 0 || ids[i] >= Tokenizer.IMAGE_TOKENS) {
                throw new InvalidInputException("image token " + i + " of the grid is " + ids[i]
                        + ", outside 0.." + (Tokenizer.IMAGE_TOKENS - 1));
            }
        }
        return new TokenGrid(side, ids.clone());
    }

    /** A grid from a square number of ids. */
    public static TokenGrid ofSquare(int[] ids) {
        int side = (int) Math.round(Math.sqrt(ids.length));
        return of(side, ids);
    }

    public int side() {
        return side;
    }

    public int size() {
        return ids.length;
    }

    public int get(int row, int col) {
        return ids[row * side + col];
    }

    /** A copy of the ids in raster order. */
    public int[] ids() {
        return ids.clone();
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof TokenGrid g && g.side == side && Arrays.equals(g.ids, ids);
    }

    @Override
    public int hashCode() {
        return 31 * side + Arrays.hashCode(ids);
    }

    @Override
    public String toString() {
        return "TokenGrid[" + side + "x" + side + "]";
    }
}
