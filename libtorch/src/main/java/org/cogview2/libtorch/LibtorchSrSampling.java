package org.cogview2.libtorch;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;

/**
 * Iterative super-resolution's token choice for a block of grid cells at once, in libtorch ops (direct
 * super-resolution uses {@link LibtorchClusterSampler} at temperature 1).
 */
final class LibtorchSrSampling {

    private LibtorchSrSampling() {
    }

    /**
     * Iterative SR's strategy (spec 02 §7.2): keep the {@code k} largest logits, softmax over them, draw. The official
     * threshold form keeps every token tied with the k-th value; {@code topk} keeps exactly k (ties of fp32 logits
     * have probability zero with real weights).
     */
    static NDArray topK(NDArray logits, int k, NDArray uniforms) {
        NDList top = logits.topK(k, 1, true, true);
        NDArray pick = LibtorchOps.draw(top.get(0).softmax(1), uniforms.get(":, 0:1"));
        return top.get(1).gather(pick, 1).squeeze(1);
    }
}
