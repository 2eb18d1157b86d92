package org.cogview2.training.core;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Reads the trainer's JSONL log, {@code outDir/train-log.jsonl}: one JSON object per logged step,
 * <pre>{@code {"step":40,"loss":0.131,"lr":9.7e-4,"grad_norm":0.82,"samples_per_s":512.3,"elapsed_s":12.5,
 *  "metrics":{"reconstruction":0.12},"eval":{"psnr_160":23.1}}}</pre>
 * {@code step} counts completed updates (1-based); {@code loss} is that step's loss; {@code grad_norm} is the
 * global gradient norm before clipping; {@code elapsed_s} is training time summed over resumed runs;
 * {@code metrics} and {@code eval} are present when non-empty. A resumed run continues the file from its
 * state's position, so each step appears once.
 */
public final class TrainingLog {

    /** The log's file name in the output folder. */
    public static final String FILE_NAME = "train-log.jsonl";

    static final ObjectMapper JSON = new ObjectMapper();

    /**
     * One logged step.
     *
     * @param metrics the task's metrics of that step, by name
     * @param eval    evaluation figures, when the step was evaluated
     */
    public record Entry(long step, double loss, double learningRate, double gradNorm, double samplesPerSecond,
                        double elapsedSeconds, Map<String, Double> metrics, Map<String, Double> eval) {

        public Entry {
            metrics = Collections.unmodifiableMap(new LinkedHashMap<>(metrics));
            eval = Collections.unmodifiableMap(new LinkedHashMap<>(eval));
        }
    }

    private TrainingLog() {
    }

    /**
     * The entries of {@code file} in order; an empty list if it does not exist. A last line without its newline
     * (a write cut short by a crash) is ignored.
     *
     * @throws IOException if a complete line is not a log entry (naming the line)
     */
    public static List<Entry> read(Path file) throws IOException {
        if (!Files.exists(file)) {
            return List.of();
        }
        String text = Files.readString(file, StandardCharsets.UTF_8);
        List<Entry> out = new ArrayList<>();
        int lineNo = 0;
        int start = 0;
        for (int nl = text.indexOf('\n'); nl >= 0; start = nl + 1, nl = text.indexOf('\n', start)) {
            lineNo++;
            String line = text.substring(start, nl).strip();
            if (line.isEmpty()) {
                continue;
            }
            try {
                out.add(parse(JSON.readTree(line)));
            } catch (IOException | RuntimeException e) {
                throw new IOException(file + ", line " + lineNo + ": not a training-log entry (" + e.getMessage() + ")", e);
            }
        }
        return out;
    }

    /** Like {@link #read} for callers that cannot handle checked exceptions. */
    public static List<Entry> readUnchecked(Path file) {
        try {
            return read(file);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static Entry parse(JsonNode n) {
        if (!n.isObject() || !n.has("step") || !n.has("loss")) {
            throw new IllegalArgumentException("expected an object with at least 'step' and 'loss'");
        }
        return new Entry(n.get("step").asLong(), number(n, "loss"), number(n, "lr"), number(n, "grad_norm"),
                number(n, "samples_per_s"), number(n, "elapsed_s"), figures(n.get("metrics")), figures(n.get("eval")));
    }

    private static double number(JsonNode n, String key) {
        JsonNode v = n.get(key);
        if (v == null || v.isNull()) {
            return Double.NaN;
        }
        return v.isTextual() ? Double.parseDouble(v.asText()) : v.asDouble(); // Jackson writes NaN as "NaN"
    }

    private static Map<String, Double> figures(JsonNode n) {
        Map<String, Double> out = new LinkedHashMap<>();
        if (n != null && n.isObject()) {
            for (Iterator<Map.Entry<String, JsonNode>> it = n.properties().iterator(); it.hasNext(); ) {
                Map.Entry<String, JsonNode> e = it.next();
                JsonNode v = e.getValue();
                out.put(e.getKey(), v.isTextual() ? Double.parseDouble(v.asText()) : v.asDouble());
            }
        }
        return out;
    }
}
