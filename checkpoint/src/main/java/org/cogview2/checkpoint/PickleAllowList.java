package org.cogview2.checkpoint;

import org.cogview2.spi.DType;

import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;
import java.util.regex.Pattern;

/**
 * The Python globals a checkpoint's pickle may name, in the spirit of {@code torch.load(weights_only=True)}.
 * Any other global (including every class and function Pyrolite would otherwise construct by default) is refused
 * with a {@link ForbiddenGlobalException} naming it and the file, as soon as the {@code GLOBAL},
 * {@code STACK_GLOBAL} or {@code INST} opcode is met. Nothing a pickle names is ever executed: each allowed global
 * is interpreted by this reader.
 *
 * <p>{@link #weightsOnly()} allows exactly (Python 2 spellings {@code __builtin__}, {@code copy_reg} are mapped to
 * {@code builtins}, {@code copyreg} first):
 * <ul>
 *   <li>tensor rebuild functions {@code torch._utils._rebuild_tensor}, {@code _rebuild_tensor_v2},
 *       {@code _rebuild_parameter}, {@code _rebuild_parameter_with_state};</li>
 *   <li>storage types {@code torch.HalfStorage, FloatStorage, BFloat16Storage, LongStorage, IntStorage}
 *       (exposed as {@link StoredTensor}) and {@code DoubleStorage, ShortStorage, CharStorage, ByteStorage,
 *       BoolStorage} (exposed as {@link OpaqueTensor}), only inside persistent ids;</li>
 *   <li>{@code collections.OrderedDict} (a state dict);</li>
 *   <li>{@code builtins.set}, {@code builtins.frozenset} (DeepSpeed's {@code csr_tensor_module_names}), kept as an
 *       {@link InertObject};</li>
 *   <li>{@code _codecs.encode} with a latin-1 or UTF-8 encoding: how protocol 2 writes Python {@code bytes};</li>
 *   <li>the training state SAT and DeepSpeed keep beside {@code module}, read as inert data and validated:
 *       {@code numpy.core.multiarray._reconstruct} (or numpy 2's {@code numpy._core.multiarray._reconstruct})
 *       of a {@code numpy.ndarray} of a plain numeric {@code numpy.dtype} (a {@link NumpyArray}: the state of
 *       {@code numpy.random.get_state()}), {@code torch.Size} (DeepSpeed's {@code param_shapes}) and
 *       {@code argparse.Namespace} (an {@code args} entry), the last two as {@link InertObject}s.</li>
 * </ul>
 * Callers who trust a file may add globals with {@link #withInertGlobal}: their objects become inert
 * {@link InertObject} placeholders that record arguments and state (like {@code torch.serialization
 * .add_safe_globals}, but without ever running the global).
 */
public final class PickleAllowList {

    /** How an allowed global is interpreted. */
    enum Kind {
        REBUILD_TENSOR, REBUILD_TENSOR_V2, REBUILD_PARAMETER, REBUILD_PARAMETER_WITH_STATE,
        STORAGE_TYPE, ORDERED_DICT, SET, FROZENSET, CODECS_ENCODE, INERT,
        // training state beside 'module': interpreted as data, never called
        NUMPY_RECONSTRUCT, NUMPY_NDARRAY, NUMPY_DTYPE, TORCH_SIZE, NAMESPACE
    }

    /** A resolved global as it sits on the unpickler's stack. */
    record Global(String name, Kind kind, StorageType storage) {
        @Override
        public String toString() {
            return "global " + name;
        }
    }

    /** A PyTorch storage type: element size and, when the SDK computes with it, its {@link DType}. */
    enum StorageType {
        HALF("HalfStorage", 2, DType.F16),
        FLOAT("FloatStorage", 4, DType.F32),
        BFLOAT16("BFloat16Storage", 2, DType.BF16),
        LONG("LongStorage", 8, DType.I64),
        INT("IntStorage", 4, DType.I32),
        DOUBLE("DoubleStorage", 8, null),
        SHORT("ShortStorage", 2, null),
        CHAR("CharStorage", 1, null),
        BYTE("ByteStorage", 1, null),
        BOOL("BoolStorage", 1, null);

        final String pythonName;
        final int elementSize;
        final DType dtype;

        StorageType(String pythonName, int elementSize, DType dtype) {
            this.pythonName = pythonName;
            this.elementSize = elementSize;
            this.dtype = dtype;
        }

        String qualifiedName() {
            return "torch." + pythonName;
        }
    }

    private static final Pattern IDENTIFIER = Pattern.compile("[A-Za-z_][A-Za-z0-9_]*(\\.[A-Za-z_][A-Za-z0-9_]*)*");
    private static final PickleAllowList WEIGHTS_ONLY;

    static {
        Map<String, Global> m = new LinkedHashMap<>();
        put(m, "torch._utils._rebuild_tensor", Kind.REBUILD_TENSOR);
        put(m, "torch._utils._rebuild_tensor_v2", Kind.REBUILD_TENSOR_V2);
        put(m, "torch._utils._rebuild_parameter", Kind.REBUILD_PARAMETER);
        put(m, "torch._utils._rebuild_parameter_with_state", Kind.REBUILD_PARAMETER_WITH_STATE);
        for (StorageType t : StorageType.values()) {
            m.put(t.qualifiedName(), new Global(t.qualifiedName(), Kind.STORAGE_TYPE, t));
        }
        put(m, "collections.OrderedDict", Kind.ORDERED_DICT);
        put(m, "builtins.set", Kind.SET);
        put(m, "builtins.frozenset", Kind.FROZENSET);
        put(m, "_codecs.encode", Kind.CODECS_ENCODE);
        // numpy.random.get_state() as numpy 1.x and 2.x pickle it
        put(m, "numpy.core.multiarray._reconstruct", Kind.NUMPY_RECONSTRUCT);
        put(m, "numpy._core.multiarray._reconstruct", Kind.NUMPY_RECONSTRUCT);
        put(m, "numpy.ndarray", Kind.NUMPY_NDARRAY);
        put(m, "numpy.dtype", Kind.NUMPY_DTYPE);
        put(m, "torch.Size", Kind.TORCH_SIZE);
        put(m, "argparse.Namespace", Kind.NAMESPACE);
        WEIGHTS_ONLY = new PickleAllowList(m);
    }

    private static void put(Map<String, Global> m, String name, Kind kind) {
        m.put(name, new Global(name, kind, null));
    }

    private final Map<String, Global> globals;

    private PickleAllowList(Map<String, Global> globals) {
        this.globals = Collections.unmodifiableMap(globals);
    }

    /** The default list described above: tensors, state dicts and the training state SAT and DeepSpeed write. */
    public static PickleAllowList weightsOnly() {
        return WEIGHTS_ONLY;
    }

    /**
     * This list plus one global whose objects are kept as inert {@link InertObject} placeholders (for instance
     * DeepSpeed's {@code deepspeed.runtime.fp16.loss_scaler.DynamicLossScaler} in a file you trust). Only the
     * recorded arguments and state are kept; the global never runs.
     *
     * @param module the Python module, e.g. {@code deepspeed.runtime.fp16.loss_scaler}
     * @param name   the global's name in it, e.g. {@code DynamicLossScaler}
     * @throws IllegalArgumentException if the names are not Python identifiers or the global is already allowed
     */
    public PickleAllowList withInertGlobal(String module, String name) {
        Objects.requireNonNull(module);
        Objects.requireNonNull(name);
        if (!IDENTIFIER.matcher(module).matches() || !IDENTIFIER.matcher(name).matches()) {
            throw new IllegalArgumentException("not a Python global: '" + module + "' '" + name + "'");
        }
        String qualified = canonicalModule(module) + "." + name;
        if (globals.containsKey(qualified)) {
            throw new IllegalArgumentException(qualified + " is already allowed");
        }
        Map<String, Global> copy = new LinkedHashMap<>(globals);
        copy.put(qualified, new Global(qualified, Kind.INERT, null));
        return new PickleAllowList(copy);
    }

    /** The allowed globals as {@code module.name}, in a stable order. */
    public java.util.Set<String> globals() {
        return globals.keySet();
    }

    /** The global for a module and name from a pickle, or {@code null} when it is not allowed. */
    Global resolve(String module, String name) {
        return globals.get(canonicalModule(module) + "." + name);
    }

    /** Python 2 module spellings that Python 3's pickle maps back ({@code fix_imports}). */
    static String canonicalModule(String module) {
        return switch (module) {
            case "__builtin__" -> "builtins";
            case "copy_reg" -> "copyreg";
            default -> module;
        };
    }
}
