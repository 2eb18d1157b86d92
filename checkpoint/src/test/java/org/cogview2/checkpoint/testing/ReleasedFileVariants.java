package org.cogview2.checkpoint.testing;

import org.cogview2.checkpoint.InertObject;
import org.cogview2.checkpoint.NumpyArray;
import org.cogview2.checkpoint.SatModelFolder;
import org.cogview2.checkpoint.StoredTensor;
import org.cogview2.checkpoint.TorchCheckpoint;
import org.cogview2.checkpoint.TorchCheckpointWriter;
import org.cogview2.checkpoint.TorchCheckpointWriter.Tensor;
import org.cogview2.spi.DType;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.lang.foreign.ValueLayout;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The file variants a real training run can leave behind, written with the project's own writer: the plain
 * {@code {'module': ...}}, the same with the full training state SAT 0.2.x ({@code save_ds_checkpoint}) and
 * DeepSpeed ({@code _save_checkpoint}) store beside {@code module}, and both in the legacy (pre-1.6) format.
 */
public final class ReleasedFileVariants {

    /** How a checkpoint is written. */
    public enum Variant {
        PLAIN(false, false), TRAINING_STATE(true, false), LEGACY(false, true), LEGACY_TRAINING_STATE(true, true);

        public final boolean trainingState;
        public final boolean legacy;

        Variant(boolean trainingState, boolean legacy) {
            this.trainingState = trainingState;
            this.legacy = legacy;
        }
    }

    private ReleasedFileVariants() {
    }

    /**
     * {@code module} with every entry SAT and DeepSpeed store beside it: {@code iteration}, {@code client_lr_scheduler},
     * {@code random_rng_state} ({@code random.getstate()}), {@code np_rng_state} ({@code numpy.random.get_state()},
     * pickled as numpy does), {@code torch_rng_state}, {@code cuda_rng_state}, {@code rng_tracker_states} (byte
     * tensors), {@code buffer_names}, {@code optimizer} (an fp16 optimizer's state with two fp32 moments of
     * {@code optimizerElements} each, generated while written), {@code param_shapes} ({@code torch.Size} values),
     * {@code lr_scheduler}, {@code csr_tensor_module_names} (a set), step counters, world sizes,
     * {@code ds_config}, {@code ds_version} and {@code args} (an {@code argparse.Namespace}).
     */
    public static Map<String, Object> satRoot(Map<String, ?> module, int optimizerElements) {
        Map<String, Object> root = new LinkedHashMap<>();
        root.put("module", module);
        root.put("buffer_names", List.of());
        root.put("optimizer", optimizerState(optimizerElements));
        Map<String, Object> shapes = new LinkedHashMap<>();
        for (Map.Entry<String, ?> e : module.entrySet()) {
            int[] shape = e.getValue() instanceof StoredTensor t ? t.shape() : ((Tensor) e.getValue()).shape();
            List<Long> dims = new ArrayList<>();
            for (int d : shape) {
                dims.add((long) d);
            }
            shapes.put(e.getKey(), new InertObject("torch.Size", List.of(dims), null));
        }
        root.put("param_shapes", List.of(shapes));
        root.put("lr_scheduler", null);
        root.put("csr_tensor_module_names", new InertObject("builtins.set", List.of(List.of()), null));
        root.put("skipped_steps", 3);
        root.put("global_steps", 48000);
        root.put("global_samples", 48000L * 4096);
        root.put("dp_world_size", 64);
        root.put("mp_world_size", 1);
        root.put("ds_config", Map.of("train_micro_batch_size_per_gpu", 4, "fp16", Map.of("enabled", true),
                "zero_optimization", Map.of("stage", 0)));
        root.put("ds_version", "0.5.10");
        // SAT's client state
        root.put("iteration", 48000);
        Map<String, Object> scheduler = new LinkedHashMap<>();
        scheduler.put("start_lr", 1e-4);
        scheduler.put("warmup_iter", 1000);
        scheduler.put("num_iters", 48000);
        scheduler.put("decay_style", "cosine");
        scheduler.put("end_iter", 48000);
        scheduler.put("decay_ratio", 0.1);
        root.put("client_lr_scheduler", scheduler);
        long[] mt = mersenneState(1234);
        Object[] key = new Object[625];
        for (int i = 0; i < 624; i++) {
            key[i] = mt[i];
        }
        key[624] = 624L;
        root.put("random_rng_state", new Object[]{3, key, null});
        root.put("np_rng_state", new Object[]{"MT19937", numpyUint32(mt), 624, 0, 0.0});
        root.put("torch_rng_state", Tensor.ofUint8(new int[]{5056}, pattern(5056)));
        root.put("cuda_rng_state", Tensor.ofUint8(new int[]{816}, pattern(816)));
        root.put("rng_tracker_states", Map.of("model-parallel-rng", Tensor.ofUint8(new int[]{816}, pattern(816))));
        Map<String, Object> args = new LinkedHashMap<>();
        args.put("mode", "pretrain");
        args.put("batch_size", 4);
        args.put("lr", 1e-4);
        args.put("fp16", true);
        args.put("save", "checkpoints/coglm");
        args.put("load", null);
        args.put("layout", List.of(64, 464, 2064));
        root.put("args", new InertObject("argparse.Namespace", List.of(), args));
        return root;
    }

    /** DeepSpeed's {@code FP16_Optimizer.state_dict()} around an Adam state. */
    private static Map<String, Object> optimizerState(int elements) {
        Map<String, Object> moments = new LinkedHashMap<>();
        moments.put("step", 48000);
        moments.put("exp_avg", Tensor.generated(DType.F32, new int[]{elements}, ReleasedFileVariants::ramp));
        moments.put("exp_avg_sq", Tensor.generated(DType.F32, new int[]{elements}, ReleasedFileVariants::ramp));
        Map<Object, Object> state = new LinkedHashMap<>();
        state.put(0, moments);
        Map<String, Object> group = new LinkedHashMap<>();
        group.put("lr", 1e-4);
        group.put("betas", new Object[]{0.9, 0.95});
        group.put("eps", 1e-8);
        group.put("weight_decay", 0.01);
        group.put("params", List.of(0));
        Map<String, Object> adam = new LinkedHashMap<>();
        adam.put("state", state);
        adam.put("param_groups", List.of(group));
        Map<String, Object> fp16 = new LinkedHashMap<>();
        fp16.put("dynamic_loss_scale", true);
        fp16.put("cur_scale", 65536.0);
        fp16.put("cur_iter", 48000);
        fp16.put("last_overflow_iter", 47123);
        fp16.put("scale_factor", 2.0);
        fp16.put("scale_window", 1000);
        fp16.put("optimizer_state_dict", adam);
        fp16.put("clip_grad", 1.0);
        return fp16;
    }

    private static void ramp(long first, java.lang.foreign.MemorySegment chunk) {
        ValueLayout.OfFloat f = ValueLayout.JAVA_FLOAT_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);
        for (long i = 0; i < chunk.byteSize() / 4; i++) {
            chunk.setAtIndex(f, i, (first + i) * 1e-6f);
        }
    }

    /** Python's {@code random.seed}-like Mersenne Twister key (init_genrand), 624 uint32 values. */
    static long[] mersenneState(long seed) {
        long[] mt = new long[624];
        mt[0] = seed & 0xFFFFFFFFL;
        for (int i = 1; i < 624; i++) {
            mt[i] = (1812433253L * (mt[i - 1] ^ (mt[i - 1] >>> 30)) + i) & 0xFFFFFFFFL;
        }
        return mt;
    }

    private static NumpyArray numpyUint32(long[] values) {
        ByteBuffer b = ByteBuffer.allocate(values.length * 4).order(ByteOrder.LITTLE_ENDIAN);
        for (long v : values) {
            b.putInt((int) v);
        }
        return new NumpyArray("<u4", new int[]{values.length}, false, b.array());
    }

    private static byte[] pattern(int n) {
        byte[] b = new byte[n];
        for (int i = 0; i < n; i++) {
            b[i] = (byte) (i * 31 + 7);
        }
        return b;
    }

    /**
     * Writes {@code {'module': module}} in the variant's format; with the training state, its two fp32 Adam moments
     * have as many elements as the module (together twice the model, as in a real run).
     */
    public static void write(Path file, Map<String, ?> module, Variant variant) {
        Map<String, Object> root;
        if (variant.trainingState) {
            long elements = 0;
            for (Object t : module.values()) {
                elements += t instanceof StoredTensor s ? s.elementCount() : org.cogview2.spi.Shape.of(((Tensor) t).shape()).elementCount();
            }
            root = satRoot(module, (int) Math.min(Integer.MAX_VALUE, Math.max(1, elements)));
        } else {
            root = new LinkedHashMap<>();
            root.put("module", module);
        }
        if (variant.legacy) {
            TorchCheckpointWriter.saveLegacy(file, root);
        } else {
            TorchCheckpointWriter.save(file, root);
        }
    }

    /** Writes the state dict of {@code source} to {@code target} as the variant. */
    public static void rewrite(Path source, Path target, Variant variant) {
        try (TorchCheckpoint c = TorchCheckpoint.open(source)) {
            write(target, c.stateDict(), variant);
        }
    }

    /**
     * Copies a SAT model folder ({@code latest}, {@code model_config.json} if present,
     * {@code <tag>/mp_rank_00_model_states.pt}) to {@code target}, its checkpoint rewritten as the variant.
     */
    public static Path copySatFolder(Path source, Path target, Variant variant) {
        SatModelFolder folder = SatModelFolder.open(source);
        try {
            Files.createDirectories(target.resolve(folder.tag()));
            Files.copy(source.resolve(SatModelFolder.LATEST_NAME), target.resolve(SatModelFolder.LATEST_NAME));
            if (Files.exists(folder.configFile())) {
                Files.copy(folder.configFile(), target.resolve(SatModelFolder.CONFIG_NAME));
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        rewrite(folder.checkpointFile(), target.resolve(folder.tag()).resolve(SatModelFolder.CHECKPOINT_NAME), variant);
        return target;
    }
}
