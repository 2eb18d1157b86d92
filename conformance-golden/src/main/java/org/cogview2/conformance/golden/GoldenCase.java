package org.cogview2.conformance.golden;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.cogview2.api.ModelFormatException;
import org.cogview2.checkpoint.npy.NpyArray;
import org.cogview2.conformance.Tolerance;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Iterator;
import java.util.Map;

/**
 * One golden case folder: {@code case.json} (name, kind, model, inputs, outputs, params, tolerance) and its
 * {@code .npy} files, in the format of the golden README.
 */
public final class GoldenCase {

    private static final ObjectMapper JSON = new ObjectMapper();

    private final Path dir;
    private final Path root;
    private final JsonNode json;

    private GoldenCase(Path dir, Path root, JsonNode json) {
        this.dir = dir;
        this.root = root;
        this.json = json;
    }

    /** Reads {@code dir/case.json}; {@code root} is the golden folder that model paths are relative to. */
    public static GoldenCase read(Path dir, Path root) {
        Path file = dir.resolve("case.json");
        try {
            return new GoldenCase(dir, root, JSON.readTree(file.toFile()));
        } catch (IOException e) {
            throw new ModelFormatException(file, "cannot read the golden case description: " + e.getMessage(), e);
        }
    }

    public static boolean isCase(Path dir) {
        return Files.isRegularFile(dir.resolve("case.json"));
    }

    public String name() {
        return json.path("name").asText(dir.getFileName().toString());
    }

    public String kind() {
        return json.path("kind").asText("?");
    }

    public Path dir() {
        return dir;
    }

    /** The model file or folder of the case, or null. */
    public Path model() {
        JsonNode m = json.path("model");
        return m.isNull() || m.isMissingNode() ? null : root.resolve(m.asText()).normalize();
    }

    /** The golden folder (for models shared between cases). */
    public Path root() {
        return root;
    }

    public JsonNode params() {
        return json.path("params");
    }

    public boolean hasOutput(String key) {
        return json.path("outputs").has(key);
    }

    public boolean hasInput(String key) {
        return json.path("inputs").has(key);
    }

    /** An input or output array by its key in {@code case.json}. */
    public NpyArray array(String key) {
        JsonNode entry = json.path("inputs").has(key) ? json.path("inputs").path(key) : json.path("outputs").path(key);
        if (entry.isMissingNode()) {
            throw new IllegalArgumentException("golden case " + name() + " has no input or output '" + key + "'");
        }
        return NpyArray.read(dir.resolve(entry.path("file").asText()));
    }

    public float[] floats(String key) {
        return array(key).toFloats();
    }

    public int[] ints(String key) {
        return array(key).toInts();
    }

    public int[] shape(String key) {
        return array(key).shape();
    }

    /** A JSON output file (e.g. {@code strings.json}). */
    public JsonNode json(String key) {
        JsonNode entry = json.path("outputs").path(key);
        Path file = dir.resolve(entry.path("file").asText(key + ".json"));
        try {
            return JSON.readTree(file.toFile());
        } catch (IOException e) {
            throw new ModelFormatException(file, "cannot read: " + e.getMessage(), e);
        }
    }

    /**
     * The tolerance of an output or group, as stated in {@code case.json} ({@code |got - want| <= abs + rel * |want|}),
     * or {@code fallback} if the case states none for it.
     */
    public Tolerance tolerance(String group, Tolerance fallback) {
        JsonNode tol = json.path("tolerance");
        JsonNode t = tol.has(group) ? tol.path(group) : (tol.has("abs") ? tol : null);
        if (t == null) {
            return fallback;
        }
        return Tolerance.absRel(t.path("abs").asDouble(0), t.path("rel").asDouble(0));
    }

    /** The names of every tolerance group. */
    public Iterator<Map.Entry<String, JsonNode>> tolerances() {
        return json.path("tolerance").properties().iterator();
    }
}
