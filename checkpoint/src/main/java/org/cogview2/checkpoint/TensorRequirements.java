package org.cogview2.checkpoint;

import org.cogview2.spi.DType;
import org.cogview2.spi.Shape;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.EnumSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.function.Predicate;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * What a model needs from a state dict, checked before any compute. Declare the tensors ({@link #require},
 * {@link #optional}) and keys that contradict the configuration ({@link #forbid}), then {@link #check} a
 * checkpoint: every problem is reported at once in one {@link StateDictMismatchException} naming the file, each
 * key, and the expected and actual shape or dtype. Keys no requirement mentions are ignored (SAT warns about
 * them, icetk loads with {@code strict=False}) and listed in the {@link Report}, unless
 * {@link #rejectUnexpected()} is set.
 *
 * <p>Factories give the requirements of the CogView2 models: {@link #satTransformer} (spec §3.12),
 * {@link #cogview2Dsr}, {@link #cogview2IterSr} (plus their mixins, §3.10) and {@link #hvqvae} (icetk's image
 * tokenizer, Appendix A, for any widths).
 *
 * <p>Building is not thread-safe; checking is.
 */
public final class TensorRequirements {

    /** The floating types a weight may be stored in. */
    public static final Set<DType> FLOATING = Collections.unmodifiableSet(EnumSet.of(DType.F32, DType.F16, DType.BF16));
    private static final int MAX_MESSAGE_PROBLEMS = 100;
    private static final Pattern LAYER_KEY = Pattern.compile("transformer\\.layers\\.(\\d+)\\..*");
    private static final Pattern ATTENTION_PLUS_KEY =
            Pattern.compile("mixins\\.attention_plus\\.(query_key_value|dense)\\.(\\d+)\\..*");

    /**
     * One required or optional tensor.
     *
     * @param key      the state-dict key
     * @param shape    the exact shape
     * @param dtypes   the accepted element types
     * @param optional whether the key may be absent
     */
    public record Requirement(String key, Shape shape, Set<DType> dtypes, boolean optional) {
        /** Keeps an unmodifiable copy of the dtypes. */
        public Requirement {
            Objects.requireNonNull(key);
            Objects.requireNonNull(shape);
            if (dtypes.isEmpty()) {
                throw new IllegalArgumentException("no dtype allowed for " + key);
            }
            dtypes = Collections.unmodifiableSet(EnumSet.copyOf(dtypes));
        }
    }

    /**
     * The outcome of a successful check.
     *
     * @param file              the checked file
     * @param unexpectedKeys    keys present in the state dict that no requirement mentions (ignored)
     * @param absentOptionalKeys optional keys that were absent
     */
    public record Report(Path file, List<String> unexpectedKeys, List<String> absentOptionalKeys) {
        /** Keeps unmodifiable copies. */
        public Report {
            unexpectedKeys = List.copyOf(unexpectedKeys);
            absentOptionalKeys = List.copyOf(absentOptionalKeys);
        }
    }

    private record Forbidden(Predicate<String> keys, String reason) {
    }

    private final String model;
    private final Map<String, Requirement> requirements = new LinkedHashMap<>();
    private final List<Forbidden> forbidden = new ArrayList<>();
    private boolean rejectUnexpected;

    private TensorRequirements(String model) {
        this.model = model;
    }

    /** Empty requirements; {@code model} names the model in messages. */
    public static TensorRequirements of(String model) {
        return new TensorRequirements(Objects.requireNonNull(model));
    }

    /** Requires {@code key} with exactly this shape and one of {@code dtypes}; replaces an earlier requirement. */
    public TensorRequirements require(String key, Shape shape, DType... dtypes) {
        requirements.put(key, new Requirement(key, shape, EnumSet.copyOf(Arrays.asList(dtypes)), false));
        return this;
    }

    /** Requires {@code key} with one of the floating types F32, F16, BF16. */
    public TensorRequirements requireFloating(String key, Shape shape) {
        requirements.put(key, new Requirement(key, shape, FLOATING, false));
        return this;
    }

    /** Like {@link #require} but the key may be absent; when present it must match. */
    public TensorRequirements optional(String key, Shape shape, DType... dtypes) {
        requirements.put(key, new Requirement(key, shape, EnumSet.copyOf(Arrays.asList(dtypes)), true));
        return this;
    }

    /** Reports every key (not otherwise required) matching {@code keys} as a problem, with {@code reason}. */
    public TensorRequirements forbid(Predicate<String> keys, String reason) {
        forbidden.add(new Forbidden(keys, reason));
        return this;
    }

    /** Makes keys that no requirement mentions a problem instead of a note in the {@link Report}. */
    public TensorRequirements rejectUnexpected() {
        rejectUnexpected = true;
        return this;
    }

    /** The model these requirements describe. */
    public String model() {
        return model;
    }

    /** The requirements in declaration order. */
    public List<Requirement> requirements() {
        return List.copyOf(requirements.values());
    }

    /** Checks the checkpoint's {@link TorchCheckpoint#stateDict() state dict}. */
    public Report check(TorchCheckpoint checkpoint) {
        return check(checkpoint.file(), checkpoint.stateDict());
    }

    /**
     * Checks a state dict.
     *
     * @param file the file it came from (for messages)
     * @throws StateDictMismatchException listing every problem
     */
    public Report check(Path file, Map<String, StoredTensor> stateDict) {
        List<String> problems = new ArrayList<>();
        List<String> absent = new ArrayList<>();
        for (Requirement r : requirements.values()) {
            StoredTensor t = stateDict.get(r.key());
            if (t == null) {
                if (r.optional()) {
                    absent.add(r.key());
                } else {
                    problems.add("missing tensor '" + r.key() + "' (expected shape " + r.shape() + ", "
                            + dtypes(r.dtypes()) + ")");
                }
                continue;
            }
            boolean shapeOk = Arrays.equals(t.shape(), r.shape().dims());
            boolean dtypeOk = r.dtypes().contains(t.dtype());
            if (!shapeOk && !dtypeOk) {
                problems.add("tensor '" + r.key() + "' has shape " + Arrays.toString(t.shape()) + " and dtype "
                        + t.dtype() + ", expected shape " + r.shape() + " and " + dtypes(r.dtypes()));
            } else if (!shapeOk) {
                problems.add("tensor '" + r.key() + "' has shape " + Arrays.toString(t.shape()) + ", expected "
                        + r.shape());
            } else if (!dtypeOk) {
                problems.add("tensor '" + r.key() + "' has dtype " + t.dtype() + ", expected " + dtypes(r.dtypes()));
            }
        }
        List<String> unexpected = new ArrayList<>();
        for (String key : stateDict.keySet()) {
            if (requirements.containsKey(key)) {
                continue;
            }
            Forbidden hit = null;
            for (Forbidden f : forbidden) {
                if (f.keys().test(key)) {
                    hit = f;
                    break;
                }
            }
            if (hit != null) {
                problems.add("unexpected tensor '" + key + "': " + hit.reason());
            } else if (rejectUnexpected) {
                problems.add("unexpected tensor '" + key + "' (no such parameter in " + model + ")");
            } else {
                unexpected.add(key);
            }
        }
        if (!problems.isEmpty()) {
            List<String> shown = problems.size() <= MAX_MESSAGE_PROBLEMS ? problems
                    : new ArrayList<>(problems.subList(0, MAX_MESSAGE_PROBLEMS));
            if (shown != problems) {
                shown.add("... and " + (problems.size() - MAX_MESSAGE_PROBLEMS) + " more");
            }
            throw new StateDictMismatchException(file, model, shown);
        }
        return new Report(file, unexpected, absent);
    }

    private static String dtypes(Set<DType> d) {
        return d.size() == 1 ? d.iterator().next().toString() : "one of " + d;
    }

    // ------------------------------------------------------------------ SAT transformer

    /**
     * All {@code transformer.*} tensors of a SAT 0.2.x {@code BaseTransformer} (spec §3.12): embeddings
     * {@code [V, h]}, {@code [S, h]}; per layer the input/post-attention LayerNorms, QKV {@code [3·nh·hd, h]},
     * dense {@code [h, nh·hd]}, MLP {@code [ffn, h]} and {@code [h, ffn]} with biases, plus third/fourth
     * LayerNorms only for Sandwich-LN; the final LayerNorm. Weights may be F32, F16 or BF16. Layer indices
     * {@code >= L} and, unless Sandwich-LN, sandwich LayerNorms are reported as contradicting the config.
     */
    public static TensorRequirements satTransformer(TransformerConfig c) {
        int h = c.hiddenSize();
        int a = c.attentionWidth();
        int ffn = c.innerHiddenSize();
        TensorRequirements r = of("SAT transformer (" + c.numLayers() + " layers, hidden " + h + ", "
                + c.numAttentionHeads() + " heads, vocabulary " + c.vocabSize() + ", max length "
                + c.maxSequenceLength() + ", layernorm " + c.layerNormOrder().jsonName() + ")");
        r.requireFloating("transformer.word_embeddings.weight", Shape.of(c.vocabSize(), h));
        r.requireFloating("transformer.position_embeddings.weight", Shape.of(c.maxSequenceLength(), h));
        boolean sandwich = c.layerNormOrder() == LayerNormOrder.SANDWICH;
        for (int l = 0; l < c.numLayers(); l++) {
            String p = "transformer.layers." + l + ".";
            r.layerNorm(p + "input_layernorm", h);
            r.requireFloating(p + "attention.query_key_value.weight", Shape.of(3 * a, h));
            r.requireFloating(p + "attention.query_key_value.bias", Shape.of(3 * a));
            r.requireFloating(p + "attention.dense.weight", Shape.of(h, a));
            r.requireFloating(p + "attention.dense.bias", Shape.of(h));
            if (sandwich) {
                r.layerNorm(p + "third_layernorm", h);
            }
            r.layerNorm(p + "post_attention_layernorm", h);
            r.requireFloating(p + "mlp.dense_h_to_4h.weight", Shape.of(ffn, h));
            r.requireFloating(p + "mlp.dense_h_to_4h.bias", Shape.of(ffn));
            r.requireFloating(p + "mlp.dense_4h_to_h.weight", Shape.of(h, ffn));
            r.requireFloating(p + "mlp.dense_4h_to_h.bias", Shape.of(h));
            if (sandwich) {
                r.layerNorm(p + "fourth_layernorm", h);
            }
        }
        r.layerNorm("transformer.final_layernorm", h);
        int layers = c.numLayers();
        r.forbid(key -> {
            Matcher m = LAYER_KEY.matcher(key);
            return m.matches() && (m.group(1).length() > 9 || Integer.parseInt(m.group(1)) >= layers);
        }, "the config says num_layers = " + layers + " but the checkpoint has this layer");
        if (!sandwich) {
            r.forbid(key -> LAYER_KEY.matcher(key).matches()
                            && (key.contains(".third_layernorm.") || key.contains(".fourth_layernorm.")),
                    "the config says layernorm_order = '" + c.layerNormOrder().jsonName()
                            + "' but the checkpoint has Sandwich-LN weights (config and weights disagree)");
        }
        return r;
    }

    private void layerNorm(String prefix, int h) {
        requireFloating(prefix + ".weight", Shape.of(h));
        requireFloating(prefix + ".bias", Shape.of(h));
    }

    /**
     * CogView2's direct super-resolution model: the transformer of {@code coglmConfig} (DSR is built from CogLM's
     * arguments) plus {@code mixins.extra_position_embedding.position_embeddings.weight [N - S, h]} and, per layer,
     * {@code mixins.attention_plus.query_key_value.<l>} {@code [3h, h]}/{@code [3h]} and
     * {@code mixins.attention_plus.dense.<l>} {@code [h, h]}/{@code [h]}.
     *
     * @param newSequenceLength N, 4624 in CogView2 (hard-coded there)
     */
    public static TensorRequirements cogview2Dsr(TransformerConfig coglmConfig, int newSequenceLength) {
        TensorRequirements r = withExtraPositions(satTransformer(coglmConfig), coglmConfig, newSequenceLength);
        int h = coglmConfig.hiddenSize();
        for (int l = 0; l < coglmConfig.numLayers(); l++) {
            r.requireFloating("mixins.attention_plus.query_key_value." + l + ".weight", Shape.of(3 * h, h));
            r.requireFloating("mixins.attention_plus.query_key_value." + l + ".bias", Shape.of(3 * h));
            r.requireFloating("mixins.attention_plus.dense." + l + ".weight", Shape.of(h, h));
            r.requireFloating("mixins.attention_plus.dense." + l + ".bias", Shape.of(h));
        }
        int layers = coglmConfig.numLayers();
        r.forbid(key -> {
            Matcher m = ATTENTION_PLUS_KEY.matcher(key);
            return m.matches() && (m.group(2).length() > 9 || Integer.parseInt(m.group(2)) >= layers);
        }, "attention_plus weights for a layer index >= num_layers = " + layers);
        return r.renamed("CogView2 direct super-resolution model on a " + r.model);
    }

    /**
     * CogView2's iterative super-resolution model: the transformer of {@code coglmConfig} plus
     * {@code mixins.extra_position_embedding.position_embeddings.weight [N - S, h]}.
     *
     * @param newSequenceLength N, 4624 in CogView2 (hard-coded there)
     */
    public static TensorRequirements cogview2IterSr(TransformerConfig coglmConfig, int newSequenceLength) {
        TensorRequirements r = withExtraPositions(satTransformer(coglmConfig), coglmConfig, newSequenceLength);
        return r.renamed("CogView2 iterative super-resolution model on a " + r.model);
    }

    private static TensorRequirements withExtraPositions(TensorRequirements r, TransformerConfig c, int n) {
        int rows = n - c.maxSequenceLength();
        if (rows <= 0) {
            throw new IllegalArgumentException("new sequence length " + n + " must exceed max_sequence_length "
                    + c.maxSequenceLength());
        }
        return r.requireFloating("mixins.extra_position_embedding.position_embeddings.weight",
                Shape.of(rows, c.hiddenSize()));
    }

    private TensorRequirements renamed(String newModel) {
        TensorRequirements r = new TensorRequirements(newModel);
        r.requirements.putAll(requirements);
        r.forbidden.addAll(forbidden);
        r.rejectUnexpected = rejectUnexpected;
        return r;
    }

    // ------------------------------------------------------------------ HVQVAE

    /**
     * Every tensor of icetk's {@code HVQVAE} with the given widths (spec §2.8 and Appendix A for the released
     * layout): encoder, decoders, quantizer (the EMA buffers {@code quantize.cluster_size} and
     * {@code quantize.embed_avg} optional, as icetk never uses them), down-samplers. Weights may be F32, F16 or
     * BF16.
     */
    public static TensorRequirements hvqvae(HvqvaeLayout l) {
        TensorRequirements r = of("icetk HVQVAE image tokenizer (" + l + ")");
        int ch = l.channels();
        // Encoder
        r.conv("enc.conv_in", l.inChannels(), ch, 3);
        List<Integer> mult = l.encoderChannelsMult();
        int blockIn = ch;
        int res = l.resolution();
        for (int i = 0; i < mult.size(); i++) {
            blockIn = ch * (i == 0 ? 1 : mult.get(i - 1));
            int blockOut = ch * mult.get(i);
            for (int j = 0; j < l.encoderResBlocks(); j++) {
                r.resnet("enc.down." + i + ".block." + j, blockIn, blockOut);
                blockIn = blockOut;
                if (l.attnResolutions().contains(res)) {
                    r.attn("enc.down." + i + ".attn." + j, blockIn);
                }
            }
            if (i != mult.size() - 1) {
                r.conv("enc.down." + i + ".downsample.conv", blockIn, blockIn, 3);
                res /= 2;
            }
        }
        r.resnet("enc.mid.block_1", blockIn, blockIn);
        r.attn("enc.mid.attn_1", blockIn);
        r.resnet("enc.mid.block_2", blockIn, blockIn);
        r.norm("enc.norm_out", blockIn);
        r.conv("enc.conv_out", blockIn, l.zChannels(), 3);
        // Decoders
        for (int k = 0; k < l.decoderChannelsMult().size(); k++) {
            List<Integer> m = l.decoderChannelsMult().get(k);
            int n = m.size();
            String p = "decs." + k;
            int in = ch * m.get(n - 1);
            int curRes = l.resolution() >> (n - 1);
            r.conv(p + ".conv_in", l.embeddingDim(), in, 3);
            r.resnet(p + ".mid.block_1", in, in);
            r.attn(p + ".mid.attn_1", in);
            r.resnet(p + ".mid.block_2", in, in);
            for (int i = n - 1; i >= 0; i--) {
                int out = ch * m.get(i);
                for (int j = 0; j <= l.decoderResBlocks(); j++) {
                    r.resnet(p + ".up." + i + ".block." + j, in, out);
                    in = out;
                    if (l.attnResolutions().contains(curRes)) {
                        r.attn(p + ".up." + i + ".attn." + j, in);
                    }
                }
                if (i != 0) {
                    r.conv(p + ".up." + i + ".upsample.conv", in, in, 3);
                    curRes *= 2;
                }
            }
            r.norm(p + ".norm_out", in);
            r.conv(p + ".conv_out", in, l.outChannels(), 3);
        }
        // Quantizer
        r.optional("quantize.cluster_size", Shape.of(l.codebookSize()), DType.F32, DType.F16, DType.BF16);
        r.optional("quantize.embed_avg", Shape.of(l.codebookSize(), l.embeddingDim()), DType.F32, DType.F16, DType.BF16);
        r.conv("quantize.proj", l.zChannels(), l.embeddingDim(), 1);
        r.requireFloating("quantize.embed.weight", Shape.of(l.codebookSize(), l.embeddingDim()));
        // Down-samplers
        for (int i = 0; i < l.downSamplers(); i++) {
            r.conv("down_samplers." + i + ".conv_down_sampler.conv", l.zChannels(), l.zChannels(), 3);
        }
        return r;
    }

    private void conv(String p, int in, int out, int k) {
        requireFloating(p + ".weight", Shape.of(out, in, k, k));
        requireFloating(p + ".bias", Shape.of(out));
    }

    private void norm(String p, int c) {
        requireFloating(p + ".weight", Shape.of(c));
        requireFloating(p + ".bias", Shape.of(c));
    }

    private void resnet(String p, int in, int out) {
        norm(p + ".norm1", in);
        conv(p + ".conv1", in, out, 3);
        norm(p + ".norm2", out);
        conv(p + ".conv2", out, out, 3);
        if (in != out) {
            conv(p + ".nin_shortcut", in, out, 1);
        }
    }

    private void attn(String p, int c) {
        norm(p + ".norm", c);
        conv(p + ".q", c, c, 1);
        conv(p + ".k", c, c, 1);
        conv(p + ".v", c, c, 1);
        conv(p + ".proj_out", c, c, 1);
    }
}
