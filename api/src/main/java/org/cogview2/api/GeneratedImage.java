package org.cogview2.api;

import java.util.OptionalDouble;

/**
 * One generated picture with the tokens it came from.
 *
 * @param sample      index of the sample in stage-1 order (its random stream)
 * @param image       480x480 pixels
 * @param coarse      the 20x20 stage-1 tokens
 * @param fine        the 60x60 tokens after super-resolution, or null when only stage 1 ran
 * @param score       the post-selection score (mean caption log-likelihood), when post-selection ran
 */
public record GeneratedImage(int sample, RgbImage image, TokenGrid coarse, TokenGrid fine, OptionalDouble score) {
}
