package org.cogview2.api;

/**
 * @param backend     the compute backend's name
 * @param models      where the models came from (a folder, or the built-in demo set)
 * @param demoWeights true when the models are the built-in demo set (small models trained on emoji pictures: they
 *                    draw emoji-like objects on white, not what the official release draws)
 */
public record PipelineInfo(String backend, String models, boolean demoWeights) {
}
