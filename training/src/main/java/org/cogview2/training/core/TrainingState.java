package org.cogview2.training.core;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;

import java.io.IOException;
import java.nio.file.Path;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The scalars of a saved training state, stored as {@code state.json} beside the tensors ({@code state.pt}).
 *
 * @param task           {@link TrainingTask#name()} of the task that made it
 * @param step           completed updates
 * @param seed           the run's seed
 * @param samples        samples seen so far
 * @param elapsedSeconds training time so far, over all runs
 * @param logOffset      length of the JSONL log at this step: where a resumed run continues it
 * @param optimizerSteps AdamW's update count (bias correction)
 * @param threads        libtorch's intra-op threads of the run that saved it (identical reruns need the same)
 * @param options        the options of that run, as {@link TrainingOptions#describe()}
 */
public record TrainingState(String task, long step, long seed, long samples, double elapsedSeconds, long logOffset,
                            long optimizerSteps, int threads, Map<String, Object> options) {

    /** The format tag written in {@code state.json}. */
    public static final String FORMAT = "cogview2-training-state/1";

    public TrainingState {
        options = Collections.unmodifiableMap(new LinkedHashMap<>(options));
    }

    String toJson() throws IOException {
        ObjectNode n = TrainingLog.JSON.createObjectNode();
        n.put("format", FORMAT);
        n.put("task", task);
        n.put("step", step);
        n.put("seed", seed);
        n.put("samples", samples);
        n.put("elapsed_s", elapsedSeconds);
        n.put("log_offset", logOffset);
        n.put("optimizer_steps", optimizerSteps);
        n.put("threads", threads);
        n.set("options", TrainingLog.JSON.valueToTree(options));
        return TrainingLog.JSON.writerWithDefaultPrettyPrinter().writeValueAsString(n);
    }

    static TrainingState fromJson(String json, Path file) {
        try {
            JsonNode n = TrainingLog.JSON.readTree(json);
            if (!FORMAT.equals(n.path("format").asText())) {
                throw new TrainingException(file + " is not a training state of this version (format '"
                        + n.path("format").asText() + "', expected '" + FORMAT + "')");
            }
            @SuppressWarnings("unchecked")
            Map<String, Object> options = n.has("options")
                    ? TrainingLog.JSON.convertValue(n.get("options"), Map.class) : Map.of();
            return new TrainingState(required(n, "task", file).asText(), required(n, "step", file).asLong(),
                    required(n, "seed", file).asLong(), n.path("samples").asLong(), n.path("elapsed_s").asDouble(),
                    required(n, "log_offset", file).asLong(), required(n, "optimizer_steps", file).asLong(),
                    n.path("threads").asInt(), options);
        } catch (IOException e) {
            throw new TrainingException(file + " is not valid JSON: " + e.getMessage(), e);
        }
    }

    private static JsonNode required(JsonNode n, String key, Path file) {
        JsonNode v = n.get(key);
        if (v == null || v.isNull()) {
            throw new TrainingException(file + " lacks '" + key + "'");
        }
        return v;
    }
}
