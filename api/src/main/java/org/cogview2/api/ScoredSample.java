package org.cogview2.api;

/**
 * A stage-1 sample with its post-selection score: the mean log-likelihood of the caption given the image
 * (higher is better).
 *
 * @param index position of the sample in the list that was ranked
 */
public record ScoredSample(int index, TokenGrid tokens, double score) {
}
