package org.cogview2.training.core;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;

/**
 * The named fp32 tensors of a model: trainable <em>parameters</em> (they require gradients and the optimizer
 * updates them) and <em>buffers</em> (state the task updates itself, such as moving-average statistics: saved
 * and restored, never optimised). Names are the released state-dict names ({@code enc.conv.weight}); parameters
 * and buffers share one namespace.
 *
 * <p>The store owns a sub-manager of the manager it is given: its arrays live exactly as long as the store (or
 * that parent). It keeps its arrays for the whole run; the trainer updates them in place, so models may hold on
 * to the arrays returned by {@link #get}. Not thread-safe: used by the training thread.
 */
@SuppressWarnings("try") // scopes (NoGrad, step managers) are entered for their effect
public final class ParameterStore implements AutoCloseable {

    private final NDManager manager;
    private final Map<String, NDArray> parameters = new LinkedHashMap<>();
    private final Map<String, NDArray> buffers = new LinkedHashMap<>();
    private final Set<String> decayed = new HashSet<>();

    /** A store whose arrays live in a new sub-manager of {@code parent}. */
    public ParameterStore(NDManager parent) {
        this.manager = Objects.requireNonNull(parent, "parent").newSubManager();
    }

    /**
     * Adds a trainable parameter: a fp32 copy of {@code initial} in the store's manager that requires gradients
     * ({@code initial} stays the caller's to close).
     *
     * @param decay whether AdamW's weight decay applies (weights of linear and convolution layers; usually not
     *              biases, norms and embeddings' scales)
     * @return the store's array
     */
    public NDArray addParameter(String name, NDArray initial, boolean decay) {
        NDArray copy = adopt(name, initial);
        copy.setRequiresGradient(true);
        parameters.put(name, copy);
        if (decay) {
            decayed.add(name);
        }
        return copy;
    }

    /** Adds a buffer: a fp32 copy of {@code initial}, saved and restored but not optimised. */
    public NDArray addBuffer(String name, NDArray initial) {
        NDArray copy = adopt(name, initial);
        buffers.put(name, copy);
        return copy;
    }

    private NDArray adopt(String name, NDArray initial) {
        Objects.requireNonNull(initial, "initial");
        if (name == null || name.isBlank()) {
            throw new IllegalArgumentException("a tensor name must not be blank");
        }
        if (contains(name)) {
            throw new IllegalArgumentException("the store already holds a tensor named " + name);
        }
        // No graph may link the copy to the caller's array: it must be a leaf of its own.
        try (NoGrad g = NoGrad.enter()) {
            NDArray copy = initial.getDataType() == DataType.FLOAT32 ? initial.duplicate()
                    : initial.toType(DataType.FLOAT32, true);
            copy.attach(manager);
            copy.setName(name);
            return copy;
        }
    }

    /** The parameter or buffer {@code name}. */
    public NDArray get(String name) {
        NDArray a = parameters.get(name);
        if (a == null) {
            a = buffers.get(name);
        }
        if (a == null) {
            throw new IllegalArgumentException("no tensor named " + name + " in the store (it has "
                    + describe(List.copyOf(all().keySet())) + ")");
        }
        return a;
    }

    /** Whether a parameter or buffer is named {@code name}. */
    public boolean contains(String name) {
        return parameters.containsKey(name) || buffers.containsKey(name);
    }

    /** Whether {@code name} is a parameter registered with weight decay. */
    public boolean decays(String name) {
        return decayed.contains(name);
    }

    /** The trainable parameters, in registration order (unmodifiable). */
    public Map<String, NDArray> parameters() {
        return Collections.unmodifiableMap(parameters);
    }

    /** The buffers, in registration order (unmodifiable). */
    public Map<String, NDArray> buffers() {
        return Collections.unmodifiableMap(buffers);
    }

    /** Parameters then buffers, in registration order (a new map). */
    public Map<String, NDArray> all() {
        Map<String, NDArray> out = new LinkedHashMap<>(parameters);
        out.putAll(buffers);
        return out;
    }

    /** The dimensions of tensor {@code name}. */
    public long[] shape(String name) {
        return get(name).getShape().getShape();
    }

    /** Number of trainable scalars. */
    public long parameterCount() {
        long n = 0;
        for (NDArray a : parameters.values()) {
            n += a.size();
        }
        return n;
    }

    /**
     * Overwrites tensor {@code name} in place with {@code values} (row-major), outside autograd: for loading a
     * checkpoint, and for tasks updating a buffer from Java-side arithmetic. The array keeps its identity, its
     * memory and, for a parameter, its {@code requiresGradient}.
     *
     * <p>Use this rather than {@code NDArray.set(Buffer)}: on the PyTorch engine that re-points the tensor at a
     * Java buffer (libtorch's {@code set_}) with a different memory alignment, which can change results in the
     * last bits from run to run (see {@code Torch.copyInto}).
     */
    public void set(String name, float[] values) {
        NDArray a = get(name);
        if (values.length != a.size()) {
            throw new IllegalArgumentException(name + " has shape " + Arrays.toString(shape(name)) + " ("
                    + a.size() + " values); " + values.length + " values given");
        }
        Torch.copyInto(a, values);
    }

    /** The manager that owns the store's arrays. */
    public NDManager manager() {
        return manager;
    }

    /** Frees every array of the store. */
    @Override
    public void close() {
        manager.close();
    }

    static String describe(List<String> names) {
        if (names.isEmpty()) {
            return "no tensors";
        }
        List<String> shown = new ArrayList<>(names.subList(0, Math.min(5, names.size())));
        if (names.size() > 5) {
            shown.add("... " + (names.size() - 5) + " more");
        }
        return String.join(", ", shown);
    }
}
