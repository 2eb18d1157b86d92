package org.cogview2.api;

/**
 * How stage 1 picks tokens (spec: {@code CoglmStrategy}): logits are divided by {@code temperature}, one of the
 * {@code topClusters} most likely token clusters is drawn by its mass, and the token is drawn inside it at
 * {@code clusterTemperature}. {@link #argmax()} takes the most likely token instead (for verification).
 *
 * @param textBias the {@code attn_plus} calibration: added to the attention scores of every text key, in every
 *                 layer and head (1.4 in every official recipe)
 */
public record CoglmSampling(float temperature, int topClusters, float clusterTemperature, boolean greedy, float textBias) {

    /** The official {@code attn_plus}. */
    public static final float DEFAULT_TEXT_BIAS = 1.4f;


    public CoglmSampling {
        if (!greedy && (!(temperature > 0) || !(clusterTemperature > 0) || topClusters < 1 || topClusters > 500)) {
            throw new InvalidInputException("stage-1 sampling needs positive temperatures and 1..500 clusters, got "
                    + temperature + ", " + topClusters + ", " + clusterTemperature);
        }
    }

    /** The cluster strategy with the given values. */
    public static CoglmSampling clusters(float temperature, int topClusters, float clusterTemperature) {
        return new CoglmSampling(temperature, topClusters, clusterTemperature, false, DEFAULT_TEXT_BIAS);
    }

    /** Top-1: the argmax of the image logits at every step. */
    public static CoglmSampling argmax() {
        return new CoglmSampling(1f, 1, 1f, true, DEFAULT_TEXT_BIAS);
    }

    /** The same sampling with another text bias. */
    public CoglmSampling withTextBias(float bias) {
        return new CoglmSampling(temperature, topClusters, clusterTemperature, greedy, bias);
    }
}
