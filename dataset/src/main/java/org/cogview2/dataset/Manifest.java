package org.cogview2.dataset;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;

import java.io.BufferedWriter;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * A data set's {@code manifest.jsonl}: one JSON object a line with the fields {@code id, emoji, style, caption_en,
 * caption_zh, tags_en, tags_zh, split, image_160, image_480} (see {@link ManifestEntry}). Reading checks every line
 * and names the line and field of the first fault.
 */
public final class Manifest {

    /** The manifest's file name inside a data-set folder. */
    public static final String FILE_NAME = "manifest.jsonl";

    private static final ObjectMapper JSON = new ObjectMapper();

    private Manifest() {
    }

    /** The entries of {@code datasetDir/manifest.jsonl}, in file order. */
    public static List<ManifestEntry> read(Path datasetDir) {
        Path file = datasetDir.resolve(FILE_NAME);
        List<String> lines;
        try {
            lines = Files.readAllLines(file, StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new DatasetFormatException(file, "cannot read the manifest: " + e.getMessage(), e);
        }
        List<ManifestEntry> entries = new ArrayList<>();
        Map<String, Integer> firstLineOfId = new HashMap<>();
        for (int i = 0; i < lines.size(); i++) {
            String line = lines.get(i);
            if (line.isBlank()) {
                continue;
            }
            ManifestEntry e = parse(file, i + 1, line);
            Integer first = firstLineOfId.putIfAbsent(e.id(), i + 1);
            if (first != null) {
                throw new DatasetFormatException(file, "line " + (i + 1) + ": field 'id': duplicate id '" + e.id()
                        + "' (first on line " + first + ")");
            }
            entries.add(e);
        }
        if (entries.isEmpty()) {
            throw new DatasetFormatException(file, "the manifest has no entries");
        }
        return List.copyOf(entries);
    }

    /** Writes entries as {@code datasetDir/manifest.jsonl} (through a temporary file, so a reader never sees half). */
    public static void write(Path datasetDir, List<ManifestEntry> entries) {
        Path file = datasetDir.resolve(FILE_NAME);
        Path tmp = datasetDir.resolve(FILE_NAME + ".tmp");
        try (BufferedWriter w = Files.newBufferedWriter(tmp, StandardCharsets.UTF_8)) {
            for (ManifestEntry e : entries) {
                w.write(toJson(e));
                w.write('\n');
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write " + tmp, e);
        }
        try {
            Files.move(tmp, file, java.nio.file.StandardCopyOption.REPLACE_EXISTING, java.nio.file.StandardCopyOption.ATOMIC_MOVE);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot move " + tmp + " to " + file, e);
        }
    }

    /** One manifest line. */
    public static String toJson(ManifestEntry e) {
        ObjectNode o = JSON.createObjectNode();
        o.put("id", e.id());
        o.put("emoji", e.emoji());
        o.put("style", e.style());
        o.put("caption_en", e.captionEn());
        o.put("caption_zh", e.captionZh());
        ArrayNode en = o.putArray("tags_en");
        e.tagsEn().forEach(en::add);
        ArrayNode zh = o.putArray("tags_zh");
        e.tagsZh().forEach(zh::add);
        o.put("split", e.split());
        o.put("image_160", e.image160());
        o.put("image_480", e.image480());
        return o.toString();
    }

    static ManifestEntry parse(Path file, int lineNumber, String line) {
        JsonNode o;
        try {
            o = JSON.readTree(line);
        } catch (JsonProcessingException ex) {
            throw new DatasetFormatException(file, "line " + lineNumber + ": not JSON (" + ex.getOriginalMessage() + ")", ex);
        }
        if (o == null || !o.isObject()) {
            throw new DatasetFormatException(file, "line " + lineNumber + ": expected a JSON object");
        }
        String split = text(file, lineNumber, o, "split");
        if (!split.equals(ManifestEntry.TRAIN) && !split.equals(ManifestEntry.HELDOUT)) {
            throw new DatasetFormatException(file, "line " + lineNumber + ": field 'split' is '" + split
                    + "', expected 'train' or 'heldout'");
        }
        return new ManifestEntry(text(file, lineNumber, o, "id"), text(file, lineNumber, o, "emoji"),
                text(file, lineNumber, o, "style"), text(file, lineNumber, o, "caption_en"),
                text(file, lineNumber, o, "caption_zh"), strings(file, lineNumber, o, "tags_en"),
                strings(file, lineNumber, o, "tags_zh"), split, relativePath(file, lineNumber, o, "image_160"),
                relativePath(file, lineNumber, o, "image_480"));
    }

    private static String text(Path file, int line, JsonNode o, String field) {
        JsonNode v = o.get(field);
        if (v == null || v.isNull()) {
            throw new DatasetFormatException(file, "line " + line + ": missing field '" + field + "'");
        }
        if (!v.isTextual() || v.asText().isBlank()) {
            throw new DatasetFormatException(file, "line " + line + ": field '" + field + "' must be a non-empty string, got " + v);
        }
        return v.asText();
    }

    private static String relativePath(Path file, int line, JsonNode o, String field) {
        String p = text(file, line, o, field);
        // Relative, forward slashes, no '..' segment: the set can be moved or copied to any machine as a folder.
        boolean absolute = p.startsWith("/") || p.matches("^[A-Za-z]:.*");
        boolean escapes = java.util.Arrays.asList(p.split("/")).contains("..");
        if (absolute || escapes || p.contains("\\")) {
            throw new DatasetFormatException(file, "line " + line + ": field '" + field + "' must be a path inside the data set, got '" + p + "'");
        }
        return p;
    }

    private static List<String> strings(Path file, int line, JsonNode o, String field) {
        JsonNode v = o.get(field);
        if (v == null || v.isNull()) {
            return List.of();
        }
        if (!v.isArray()) {
            throw new DatasetFormatException(file, "line " + line + ": field '" + field + "' must be an array of strings, got " + v);
        }
        List<String> out = new ArrayList<>();
        for (JsonNode t : v) {
            if (!t.isTextual()) {
                throw new DatasetFormatException(file, "line " + line + ": field '" + field + "' holds a non-string " + t);
            }
            out.add(t.asText());
        }
        return out;
    }
}
