package org.cogview2.api;

/**
 * The region to re-generate, as fractions of the 480x480 picture: rows {@code [h0, h1)} and columns
 * {@code [w0, w1)} (the official {@code x0 y0 x1 y1} arguments are really row, column, row, column).
 */
public record CompletionBox(double h0, double w0, double h1, double w1) {

    public CompletionBox {
        if (!(0 <= h0 && h0 < h1 && h1 <= 1 && 0 <= w0 && w0 < w1 && w1 <= 1)) {
            throw new InvalidInputException("the completion box must satisfy 0 <= h0 < h1 <= 1 and 0 <= w0 < w1 <= 1, got "
                    + h0 + "," + w0 + "," + h1 + "," + w1);
        }
    }

    /** Parses {@code "h0,w0,h1,w1"}. */
    public static CompletionBox parse(String text) {
        String[] parts = text.split(",");
        if (parts.length != 4) {
            throw new InvalidInputException("a box is four comma-separated fractions h0,w0,h1,w1, got '" + text + "'");
        }
        double[] v = new double[4];
        for (int i = 0; i < 4; i++) {
            try {
                v[i] = Double.parseDouble(parts[i].strip());
            } catch (NumberFormatException e) {
                throw new InvalidInputException("'" + parts[i].strip() + "' in box '" + text + "' is not a number");
            }
        }
        return new CompletionBox(v[0], v[1], v[2], v[3]);
    }
}
