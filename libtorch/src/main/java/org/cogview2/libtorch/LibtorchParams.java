package org.cogview2.libtorch;

import ai.djl.ndarray.NDArray;

/**
 * A model's parameters by their released state-dict names, as fp32 libtorch tensors: what every graph here is built
 * over, whether they come from a checkpoint ({@link StateDictParams}) or from a trainer's parameter store.
 */
public interface LibtorchParams {

    /** The tensor named {@code key}; an {@link IllegalArgumentException} naming it when absent. */
    NDArray get(String key);

    /** Whether {@code key} exists. */
    boolean has(String key);
}
