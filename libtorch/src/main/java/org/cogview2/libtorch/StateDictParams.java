package org.cogview2.libtorch;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import org.cogview2.checkpoint.StoredTensor;

import java.util.LinkedHashMap;
import java.util.Map;

/** A state dict's tensors widened to fp32 libtorch arrays, by name: the {@link LibtorchParams} of a checkpoint. */
public final class StateDictParams implements LibtorchParams {

    private final Map<String, NDArray> tensors;

    private StateDictParams(Map<String, NDArray> tensors) {
        this.tensors = tensors;
    }

    /** Converts every entry of {@code stateDict} into {@code manager} (which owns the arrays). */
    public static StateDictParams load(NDManager manager, Map<String, StoredTensor> stateDict) {
        Map<String, NDArray> out = new LinkedHashMap<>();
        for (String key : stateDict.keySet()) {
            out.put(key, LibtorchOps.tensor(manager, stateDict, key));
        }
        return new StateDictParams(out);
    }

    /** Parameters held in a map the caller owns (e.g. a trainer's parameter store). */
    public static StateDictParams of(Map<String, NDArray> tensors) {
        return new StateDictParams(tensors);
    }

    @Override
    public NDArray get(String key) {
        NDArray t = tensors.get(key);
        if (t == null) {
            throw new IllegalArgumentException("no parameter '" + key + "'");
        }
        return t;
    }

    @Override
    public boolean has(String key) {
        return tensors.containsKey(key);
    }
}
