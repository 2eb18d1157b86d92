package org.cogview2.models.transformer;

import org.cogview2.spi.DType;
import org.cogview2.spi.Kernels;
import org.cogview2.spi.Shape;
import org.cogview2.spi.Tensor;
import org.cogview2.spi.TensorScope;

/**
 * Keys and values of the positions already processed, per layer, {@code [B, capacity, heads*headDim]} on the
 * backend (SAT's {@code mems}; the layout need not match SAT's packing). A forward over {@code n} new positions
 * writes their keys/values at {@link #length()} in every layer, then {@link #advance(int)} moves the length on.
 * Sized from the real sequence length, never from the model's maximum.
 */
public final class KvCache implements AutoCloseable {

    private final Kernels k;
    private final Tensor[] keys;
    private final Tensor[] values;
    private final int batch;
    private final int capacity;
    private int length;

    public KvCache(TensorScope scope, Kernels kernels, int layers, int batch, int capacity, int width) {
        this.k = kernels;
        this.batch = batch;
        this.capacity = capacity;
        this.keys = new Tensor[layers];
        this.values = new Tensor[layers];
        for (int l = 0; l < layers; l++) {
            keys[l] = scope.zeros(DType.F32, Shape.of(batch, capacity, width));
            values[l] = scope.zeros(DType.F32, Shape.of(batch, capacity, width));
        }
    }

    /** Positions held so far. */
    public int length() {
        return length;
    }

    public int batch() {
        return batch;
    }

    public int capacity() {
        return capacity;
    }

    /** Stores layer {@code l}'s keys and values {@code [B, n, width]} of the new positions at {@link #length()}. */
    public void write(int layer, Tensor newKeys, Tensor newValues) {
        int n = newKeys.shape().dim(1);
        if (length + n > capacity) {
            throw new IllegalStateException("KV cache of " + capacity + " positions cannot take " + n + " more after " + length);
        }
        k.copyInto(keys[layer], 1, length, newKeys);
        k.copyInto(values[layer], 1, length, newValues);
    }

    /** Ends a forward pass over {@code n} new positions. */
    public void advance(int n) {
        length += n;
    }

    public Tensor keys(int layer) {
        return keys[layer];
    }

    public Tensor values(int layer) {
        return values[layer];
    }

    /**
     * A cache of {@code batch} rows, each a copy of this batch-1 cache: the prompt's prefill is computed once and
     * shared by all samples, which diverge from their first sampled token on.
     */
    public KvCache broadcast(TensorScope scope, int newBatch) {
        if (batch != 1) {
            throw new IllegalStateException("only a batch-1 cache can be broadcast, this one has " + batch);
        }
        int width = keys[0].shape().dim(2);
        KvCache out = new KvCache(scope, k, keys.length, newBatch, capacity, width);
        for (int l = 0; l < keys.length; l++) {
            for (int b = 0; b < newBatch; b++) {
                k.copyInto(scope.narrow(out.keys[l], b, 1), 1, 0, keys[l]);
                k.copyInto(scope.narrow(out.values[l], b, 1), 1, 0, values[l]);
            }
        }
        out.length = length;
        return out;
    }

    @Override
    public void close() {
        for (int l = 0; l < keys.length; l++) {
            keys[l].close();
            values[l].close();
        }
    }
}
