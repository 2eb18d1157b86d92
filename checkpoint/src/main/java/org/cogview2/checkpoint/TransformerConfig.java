package org.cogview2.checkpoint;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.StreamReadConstraints;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.cogview2.api.ModelFormatException;
import org.cogview2.api.ModelNotFoundException;

import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.CharBuffer;
import java.nio.charset.CharsetDecoder;
import java.nio.charset.CoderResult;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalInt;

/**
 * The hyper-parameters of a SAT 0.2.x transformer, read from a model folder's {@code model_config.json}.
 * Missing keys take SAT 0.2.x's argument defaults ({@code num_layers 24}, {@code hidden_size 1024},
 * {@code num_attention_heads 16}, {@code max_sequence_length 512}, {@code layernorm_order 'pre'},
 * {@code inner_hidden_size} and {@code hidden_size_per_attention_head} unset); {@code vocab_size} has no usable
 * default (SAT's is 0) and must be present.
 *
 * @param numLayers          L
 * @param hiddenSize         h
 * @param numAttentionHeads  nh
 * @param vocabSize          V, rows of {@code word_embeddings}
 * @param maxSequenceLength  S, rows of {@code position_embeddings}
 * @param layerNormOrder     pre, post or sandwich
 * @param innerHiddenSize    MLP width, resolved: {@code inner_hidden_size}, or 4h when unset
 * @param headDim            per-head width, resolved: {@code hidden_size_per_attention_head}, or h / nh when unset
 * @param extra              every other key of the file, with its JSON value as {@link Integer}, {@link Long},
 *                           {@link java.math.BigInteger}, {@link Double}, {@link String}, {@link Boolean},
 *                           {@code null}, {@code List<Object>} or {@code Map<String, Object>} (e.g.
 *                           {@code kernel_size}, {@code layout}, {@code new_sequence_length},
 *                           {@code model_class}); unmodifiable, in file order
 */
public record TransformerConfig(int numLayers, int hiddenSize, int numAttentionHeads, int vocabSize,
                                int maxSequenceLength, LayerNormOrder layerNormOrder, int innerHiddenSize,
                                int headDim, Map<String, Object> extra) {

    /** Largest {@code model_config.json} accepted; real ones are a few hundred bytes. */
    public static final int MAX_FILE_BYTES = 256 * 1024;
    /** SAT 0.2.x ignores {@code layernorm_epsilon} and always uses this. */
    public static final double LAYERNORM_EPSILON = 1e-5;

    private static final System.Logger LOG = System.getLogger(TransformerConfig.class.getName());
    private static final ObjectMapper JSON;

    static {
        JsonFactory factory = JsonFactory.builder()
                .streamReadConstraints(StreamReadConstraints.builder()
                        .maxNestingDepth(64).maxNumberLength(100).maxStringLength(64 * 1024).build())
                .build();
        JSON = new ObjectMapper(factory)
                .enable(JsonParser.Feature.STRICT_DUPLICATE_DETECTION)
                .enable(DeserializationFeature.FAIL_ON_TRAILING_TOKENS);
    }

    /** Checks the values are in range and consistent; keeps an unmodifiable copy of {@code extra}. */
    public TransformerConfig {
        check(numLayers, 1, 1 << 12, "numLayers");
        check(hiddenSize, 1, 1 << 20, "hiddenSize");
        check(numAttentionHeads, 1, 1 << 16, "numAttentionHeads");
        check(vocabSize, 1, 1 << 26, "vocabSize");
        check(maxSequenceLength, 1, 1 << 26, "maxSequenceLength");
        check(innerHiddenSize, 1, 1 << 24, "innerHiddenSize");
        check(headDim, 1, 1 << 20, "headDim");
        if (3L * numAttentionHeads * headDim > Integer.MAX_VALUE) {
            throw new IllegalArgumentException("3 * numAttentionHeads * headDim = " + 3L * numAttentionHeads * headDim
                    + " exceeds 2^31-1");
        }
        if (layerNormOrder == null) {
            throw new IllegalArgumentException("layerNormOrder is null");
        }
        extra = Collections.unmodifiableMap(new LinkedHashMap<>(extra));
    }

    private static void check(int v, int min, int max, String name) {
        if (v < min || v > max) {
            throw new IllegalArgumentException(name + " = " + v + " is outside " + min + ".." + max);
        }
    }

    /** LayerNorm epsilon: always 1e-5 in SAT 0.2.x, whatever the file says. */
    public double layerNormEpsilon() {
        return LAYERNORM_EPSILON;
    }

    /** Width of Q, K and V each: {@code numAttentionHeads * headDim} (equals h unless the head dim is set). */
    public int attentionWidth() {
        return numAttentionHeads * headDim;
    }

    /** An integer from {@link #extra()}, if present and integral. */
    public OptionalInt extraInt(String key) {
        Object v = extra.get(key);
        if (v instanceof Integer i) {
            return OptionalInt.of(i);
        }
        if (v instanceof Long l && l == (int) (long) l) {
            return OptionalInt.of((int) (long) l);
        }
        return OptionalInt.empty();
    }

    /** A list of integers from {@link #extra()} (e.g. {@code layout}), if present and all integral. */
    public Optional<List<Integer>> extraIntList(String key) {
        if (!(extra.get(key) instanceof List<?> list)) {
            return Optional.empty();
        }
        List<Integer> out = new ArrayList<>();
        for (Object o : list) {
            if (!(o instanceof Integer i)) {
                return Optional.empty();
            }
            out.add(i);
        }
        return Optional.of(List.copyOf(out));
    }

    /**
     * Reads a {@code model_config.json}.
     *
     * @throws ModelNotFoundException if the file does not exist
     * @throws ModelConfigException   if it is not a UTF-8 JSON object with sane, well-typed values
     */
    public static TransformerConfig read(Path file) {
        if (!Files.isRegularFile(file)) {
            throw new ModelNotFoundException("model config " + file + " does not exist");
        }
        byte[] bytes;
        try (InputStream in = Files.newInputStream(file)) {
            bytes = in.readNBytes(MAX_FILE_BYTES + 1);
        } catch (IOException e) {
            throw new ModelFormatException(file, "cannot read: " + e.getMessage(), e);
        }
        return parse(file, bytes);
    }

    /** Parses the bytes of a {@code model_config.json}; {@code file} is used in messages. */
    public static TransformerConfig parse(Path file, byte[] bytes) {
        if (bytes.length > MAX_FILE_BYTES) {
            throw new ModelConfigException(file, null, "file is larger than " + MAX_FILE_BYTES
                    + " bytes; a model_config.json holds a few hyper-parameters");
        }
        String text = decodeUtf8(file, bytes);
        JsonNode root;
        try {
            root = JSON.readTree(text);
        } catch (JsonProcessingException e) {
            throw new ModelConfigException(file, null, "not valid JSON: " + e.getOriginalMessage()
                    + (e.getLocation() != null ? " (line " + e.getLocation().getLineNr() + ", column "
                    + e.getLocation().getColumnNr() + ")" : ""), e);
        }
        if (root == null || root.isMissingNode()) {
            throw new ModelConfigException(file, null, "the file is empty; expected a JSON object");
        }
        if (!root.isObject()) {
            throw new ModelConfigException(file, null, "expected a JSON object, found " + nodeType(root));
        }
        Map<String, JsonNode> fields = new LinkedHashMap<>();
        for (Iterator<Map.Entry<String, JsonNode>> it = root.properties().iterator(); it.hasNext(); ) {
            Map.Entry<String, JsonNode> e = it.next();
            fields.put(e.getKey(), e.getValue());
        }
        List<String> problems = new ArrayList<>();
        int layers = intField(fields, "num_layers", 24, 1, 1 << 12, false, problems);
        int hidden = intField(fields, "hidden_size", 1024, 1, 1 << 20, false, problems);
        int heads = intField(fields, "num_attention_heads", 16, 1, 1 << 16, false, problems);
        int vocab = intField(fields, "vocab_size", 0, 1, 1 << 26, false, problems);
        if (!fields.containsKey("vocab_size")) {
            problems.add("vocab_size is missing (SAT's default 0 is not a usable vocabulary)");
        }
        int maxSeq = intField(fields, "max_sequence_length", 512, 1, 1 << 26, false, problems);
        int inner = intField(fields, "inner_hidden_size", -1, 1, 1 << 24, true, problems);
        int hd = intField(fields, "hidden_size_per_attention_head", -1, 1, 1 << 20, true, problems);
        int mp = intField(fields, "model_parallel_size", 1, 1, 1 << 10, false, problems);
        if (mp > 1) {
            problems.add("model_parallel_size is " + mp + ": only unpartitioned checkpoints (a single "
                    + "mp_rank_00 file, model_parallel_size 1) are supported");
        }
        LayerNormOrder order = LayerNormOrder.PRE;
        JsonNode orderNode = fields.get("layernorm_order");
        if (orderNode != null) {
            order = orderNode.isTextual() ? LayerNormOrder.fromJson(orderNode.textValue()) : null;
            if (order == null) {
                problems.add("layernorm_order must be \"pre\", \"post\" or \"sandwich\", found "
                        + describe(orderNode));
                order = LayerNormOrder.PRE;
            }
        }
        if (problems.isEmpty() && hd < 0 && hidden % heads != 0) {
            problems.add("hidden_size " + hidden + " is not divisible by num_attention_heads " + heads
                    + " (and hidden_size_per_attention_head is not set)");
        }
        int headDim = hd > 0 ? hd : Math.max(1, hidden / heads);
        if (problems.isEmpty() && 3L * heads * headDim > Integer.MAX_VALUE) {
            problems.add("3 * num_attention_heads * head size = " + 3L * heads * headDim + " is absurdly large");
        }
        long innerResolved = inner > 0 ? inner : 4L * hidden;
        if (problems.isEmpty() && innerResolved > (1 << 24)) {
            problems.add("inner hidden size 4 * hidden_size = " + innerResolved + " is absurdly large");
        }
        JsonNode eps = fields.get("layernorm_epsilon");
        if (eps != null && !(eps.isNumber() && eps.doubleValue() == LAYERNORM_EPSILON)) {
            LOG.log(System.Logger.Level.WARNING, "{0}: layernorm_epsilon {1} is ignored; SAT 0.2.x always uses 1e-5",
                    file, eps);
        }
        if (!problems.isEmpty()) {
            throw new ModelConfigException(file, null, String.join("; ", problems));
        }
        Map<String, Object> extra = new LinkedHashMap<>();
        for (Map.Entry<String, JsonNode> e : fields.entrySet()) {
            switch (e.getKey()) {
                case "num_layers", "hidden_size", "num_attention_heads", "vocab_size", "max_sequence_length",
                     "layernorm_order", "inner_hidden_size", "hidden_size_per_attention_head" -> {
                }
                default -> extra.put(e.getKey(), toJava(e.getValue()));
            }
        }
        return new TransformerConfig(layers, hidden, heads, vocab, maxSeq, order, (int) innerResolved, headDim, extra);
    }

    private static String decodeUtf8(Path file, byte[] bytes) {
        if (bytes.length >= 3 && (bytes[0] & 0xFF) == 0xEF && (bytes[1] & 0xFF) == 0xBB && (bytes[2] & 0xFF) == 0xBF) {
            throw new ModelConfigException(file, null, "starts with a UTF-8 byte-order mark, which Python's json "
                    + "module rejects; remove it");
        }
        CharsetDecoder dec = StandardCharsets.UTF_8.newDecoder()
                .onMalformedInput(CodingErrorAction.REPORT).onUnmappableCharacter(CodingErrorAction.REPORT);
        ByteBuffer in = ByteBuffer.wrap(bytes);
        CharBuffer out = CharBuffer.allocate(bytes.length);
        CoderResult r = dec.decode(in, out, true);
        if (r.isError()) {
            throw new ModelConfigException(file, null, "not valid UTF-8: malformed byte sequence at byte offset "
                    + in.position() + String.format(" (0x%02X)", bytes[in.position()] & 0xFF));
        }
        dec.flush(out);
        return out.flip().toString();
    }

    private static int intField(Map<String, JsonNode> fields, String key, int dflt, int min, int max,
                                boolean nullable, List<String> problems) {
        JsonNode n = fields.get(key);
        if (n == null || (nullable && n.isNull())) {
            return dflt;
        }
        if (!n.isIntegralNumber()) {
            problems.add(key + " must be an integer" + (nullable ? " or null" : "") + ", found " + describe(n));
            return Math.max(dflt, min);
        }
        if (!n.canConvertToLong() || n.longValue() < min || n.longValue() > max) {
            problems.add(key + " = " + n.asText() + " is outside the sane range " + min + ".." + max);
            return Math.max(dflt, min);
        }
        return n.intValue();
    }

    private static String describe(JsonNode n) {
        if (n.isNull()) {
            return "null";
        }
        String s = n.toString();
        return nodeType(n) + " " + (s.length() > 60 ? s.substring(0, 60) + "..." : s);
    }

    private static String nodeType(JsonNode n) {
        return switch (n.getNodeType()) {
            case ARRAY -> "an array";
            case OBJECT -> "an object";
            case STRING -> "a string";
            case BOOLEAN -> "a boolean";
            case NULL -> "null";
            case NUMBER -> n.isIntegralNumber() ? "an integer" : "a number";
            default -> n.getNodeType().toString().toLowerCase(java.util.Locale.ROOT);
        };
    }

    private static Object toJava(JsonNode n) {
        return switch (n.getNodeType()) {
            case NULL, MISSING -> null;
            case BOOLEAN -> n.booleanValue();
            case STRING -> n.textValue();
            case NUMBER -> {
                if (!n.isIntegralNumber()) {
                    yield n.doubleValue();
                }
                if (n.canConvertToInt()) {
                    yield n.intValue();
                }
                yield n.canConvertToLong() ? (Object) n.longValue() : n.bigIntegerValue();
            }
            case ARRAY -> {
                List<Object> l = new ArrayList<>();
                n.forEach(x -> l.add(toJava(x)));
                yield Collections.unmodifiableList(l);
            }
            case OBJECT -> {
                Map<String, Object> m = new LinkedHashMap<>();
                n.properties().forEach(e -> m.put(e.getKey(), toJava(e.getValue())));
                yield Collections.unmodifiableMap(m);
            }
            default -> n.toString();
        };
    }
}
