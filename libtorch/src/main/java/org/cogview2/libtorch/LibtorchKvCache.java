package org.cogview2.libtorch;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.index.NDIndex;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;

/**
 * Keys and values of the positions already processed, per layer, preallocated as {@code [B, heads, capacity, d]}
 * fp32 (the head-major layout the batched attention matmuls read without a copy). A forward over {@code n} new
 * positions writes them in place at {@link #length()} ({@code cache[:, :, len:len+n] = k}); attention reads the view
 * {@code cache[:, :, :len+n]}. Preallocating avoids the {@code torch.cat} of a growing cache at every step.
 */
final class LibtorchKvCache {

    private final NDArray[] keys;
    private final NDArray[] values;
    private final int batch;
    private int length;

    LibtorchKvCache(NDManager manager, int layers, int batch, int heads, int capacity, int headDim) {
        this.batch = batch;
        this.keys = new NDArray[layers];
        this.values = new NDArray[layers];
        Shape shape = new Shape(batch, heads, capacity, headDim);
        for (int l = 0; l < layers; l++) {
            keys[l] = manager.zeros(shape, DataType.FLOAT32);
            values[l] = manager.zeros(shape, DataType.FLOAT32);
        }
    }

    int length() {
        return length;
    }

    int batch() {
        return batch;
    }

    /** Stores layer {@code l}'s keys and values {@code [B, heads, n, d]} of the new positions at {@link #length()}. */
    void write(int layer, NDArray newKeys, NDArray newValues) {
        NDIndex at = new NDIndex(":, :, {}:{}", length, length + newKeys.getShape().get(2));
        keys[layer].set(at, newKeys);
        values[layer].set(at, newValues);
    }

    /** Layer {@code l}'s keys {@code [B, heads, keyLength, d]}: a view, registered with {@code manager}. */
    NDArray keys(NDManager manager, int layer, int keyLength) {
        return keys[layer].get(manager, new NDIndex(":, :, :{}", keyLength));
    }

    NDArray values(NDManager manager, int layer, int keyLength) {
        return values[layer].get(manager, new NDIndex(":, :, :{}", keyLength));
    }

    /** Ends a forward pass over {@code n} new positions. */
    void advance(int n) {
        length += n;
    }

    /**
     * A cache of {@code newBatch} rows, each a copy of this batch-1 cache (the prompt's prefill is computed once and
     * shared by every sample, as {@code FillingSequence} does): one broadcasting copy per tensor.
     */
    LibtorchKvCache broadcast(NDManager manager, int newBatch) {
        if (batch != 1) {
            throw new IllegalStateException("only a batch-1 cache can be broadcast, this one has " + batch);
        }
        Shape s = keys[0].getShape();
        LibtorchKvCache out = new LibtorchKvCache(manager, keys.length, newBatch, (int) s.get(1), (int) s.get(2), (int) s.get(3));
        NDIndex filled = new NDIndex(":, :, :{}", length);
        for (int l = 0; l < keys.length; l++) {
            try (NDArray k = keys[l].get(filled); NDArray v = values[l].get(filled)) {
                out.keys[l].set(filled, k);
                out.values[l].set(filled, v);
            }
        }
        out.length = length;
        return out;
    }
}
