package org.cogview2.api;

/**
 * @param backend     the compute backend's name
 * @param models      where the models came from (a folder, or the built-in demo set)
 * @param demoWeights true when the models are the untrained built-in demo set
 */
public record PipelineInfo(String backend, String models, boolean demoWeights) {
}
