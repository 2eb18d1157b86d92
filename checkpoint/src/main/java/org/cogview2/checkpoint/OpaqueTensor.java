package org.cogview2.checkpoint;

import java.util.Arrays;
import java.util.Objects;

/**
 * A tensor whose data is not exposed: one of an element type the SDK does not compute with (float64, int16, int8,
 * uint8, bool), for example a random-number-generator state kept next to the weights, or any tensor of the training
 * state beside {@code module} (optimizer moments, fp32 master weights), which is never read or copied. Its record
 * was validated like any other (bounds, sizes); {@link TorchCheckpoint#stateDict()} rejects it when it sits in the
 * state dict.
 *
 * @param key         the dict key or tree path it was found under
 * @param storageType the PyTorch storage type, e.g. {@code torch.DoubleStorage}
 * @param shape       its dimensions (a copy is kept and returned)
 */
public record OpaqueTensor(String key, String storageType, int[] shape) {

    /** Keeps a copy of the shape. */
    public OpaqueTensor {
        Objects.requireNonNull(key);
        Objects.requireNonNull(storageType);
        shape = shape.clone();
    }

    /** The dimensions (a copy). */
    @Override
    public int[] shape() {
        return shape.clone();
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof OpaqueTensor t && key.equals(t.key) && storageType.equals(t.storageType)
                && Arrays.equals(shape, t.shape);
    }

    @Override
    public int hashCode() {
        return Objects.hash(key, storageType, Arrays.hashCode(shape));
    }

    @Override
    public String toString() {
        return "OpaqueTensor[" + key + " " + storageType + " " + Arrays.toString(shape) + "]";
    }
}
