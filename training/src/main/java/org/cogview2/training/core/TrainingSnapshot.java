package org.cogview2.training.core;

import ai.djl.ndarray.NDArray;
import org.cogview2.checkpoint.StoredTensor;
import org.cogview2.checkpoint.TorchCheckpointWriter;
import org.cogview2.spi.DType;

import java.lang.foreign.MemorySegment;
import java.nio.ByteOrder;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The tensors of a training state and their keys in {@code state.pt}: {@code param.<name>},
 * {@code exp_avg.<name>} and {@code exp_avg_sq.<name>} for each parameter, {@code buffer.<name>} for each
 * buffer, all fp32. Restoring checks the whole key set and every shape before it changes anything, and names
 * every tensor that does not fit.
 */
final class TrainingSnapshot {

    static final String PARAM = "param.";
    static final String EXP_AVG = "exp_avg.";
    static final String EXP_AVG_SQ = "exp_avg_sq.";
    static final String BUFFER = "buffer.";

    private TrainingSnapshot() {
    }

    /** The current tensors of {@code store} and {@code optimizer}, read when written. */
    static Map<String, TorchCheckpointWriter.Tensor> capture(ParameterStore store, AdamW optimizer) {
        Map<String, TorchCheckpointWriter.Tensor> out = new LinkedHashMap<>();
        for (Map.Entry<String, NDArray> e : store.parameters().entrySet()) {
            out.put(PARAM + e.getKey(), tensor(e.getValue()));
        }
        for (Map.Entry<String, NDArray> e : optimizer.firstMoments().entrySet()) {
            out.put(EXP_AVG + e.getKey(), tensor(e.getValue()));
        }
        for (Map.Entry<String, NDArray> e : optimizer.secondMoments().entrySet()) {
            out.put(EXP_AVG_SQ + e.getKey(), tensor(e.getValue()));
        }
        for (Map.Entry<String, NDArray> e : store.buffers().entrySet()) {
            out.put(BUFFER + e.getKey(), tensor(e.getValue()));
        }
        return out;
    }

    /**
     * A tensor whose bytes are read from {@code a} while it is written, one tensor at a time: saving a large
     * model does not need a heap copy of all of it.
     */
    private static TorchCheckpointWriter.Tensor tensor(NDArray a) {
        long bytes = a.size() * Float.BYTES;
        return TorchCheckpointWriter.Tensor.generated(DType.F32, dims(a.getShape().getShape()),
                new TorchCheckpointWriter.Filler() {
                    private MemorySegment data;

                    @Override
                    public void fill(long firstElement, MemorySegment chunk) {
                        if (data == null) {
                            data = MemorySegment.ofBuffer(a.toByteBuffer().order(ByteOrder.LITTLE_ENDIAN));
                        }
                        long offset = firstElement * Float.BYTES;
                        MemorySegment.copy(data, offset, chunk, 0, chunk.byteSize());
                        if (offset + chunk.byteSize() >= bytes) {
                            data = null; // written: let the copy go
                        }
                    }
                });
    }

    /**
     * Loads {@code saved} into {@code store} and {@code optimizer}.
     *
     * @throws TrainingException listing every missing, unexpected or differently shaped tensor (then nothing
     *                           was changed)
     */
    static void restore(Map<String, StoredTensor> saved, ParameterStore store, AdamW optimizer, String task, Path file) {
        Map<String, long[]> expected = expectedShapes(store);
        List<String> problems = new ArrayList<>();
        for (Map.Entry<String, long[]> e : expected.entrySet()) {
            StoredTensor t = saved.get(e.getKey());
            int[] want = dims(e.getValue());
            if (t == null) {
                problems.add("'" + e.getKey() + "' is missing (the task has it with shape " + Arrays.toString(want) + ")");
            } else if (!Arrays.equals(t.shape(), want)) {
                problems.add("'" + e.getKey() + "' has shape " + Arrays.toString(t.shape()) + " in the state but "
                        + Arrays.toString(want) + " in task '" + task + "'");
            } else if (t.dtype() != DType.F32) {
                problems.add("'" + e.getKey() + "' is " + t.dtype() + ", expected F32");
            }
        }
        Set<String> unexpected = new LinkedHashSet<>(saved.keySet());
        unexpected.removeAll(expected.keySet());
        for (String k : unexpected) {
            problems.add("'" + k + "' is in the state but task '" + task + "' has no such tensor");
        }
        if (!problems.isEmpty()) {
            int shown = Math.min(problems.size(), 20);
            throw new TrainingException("cannot resume from " + file + ", it was made for another model: "
                    + String.join("; ", problems.subList(0, shown))
                    + (problems.size() > shown ? "; ... " + (problems.size() - shown) + " more" : ""));
        }
        for (String name : store.parameters().keySet()) {
            store.set(name, saved.get(PARAM + name).toFloats());
            optimizer.restore(name, saved.get(EXP_AVG + name).toFloats(), saved.get(EXP_AVG_SQ + name).toFloats());
        }
        for (String name : store.buffers().keySet()) {
            store.set(name, saved.get(BUFFER + name).toFloats());
        }
    }

    private static Map<String, long[]> expectedShapes(ParameterStore store) {
        Map<String, long[]> out = new LinkedHashMap<>();
        for (String name : store.parameters().keySet()) {
            long[] s = store.shape(name);
            out.put(PARAM + name, s);
            out.put(EXP_AVG + name, s);
            out.put(EXP_AVG_SQ + name, s);
        }
        for (String name : store.buffers().keySet()) {
            out.put(BUFFER + name, store.shape(name));
        }
        return out;
    }

    static int[] dims(long[] shape) {
        int[] out = new int[shape.length];
        for (int i = 0; i < shape.length; i++) {
            out[i] = Math.toIntExact(shape[i]);
        }
        return out;
    }
}
