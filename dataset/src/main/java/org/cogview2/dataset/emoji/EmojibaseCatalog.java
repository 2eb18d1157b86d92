package org.cogview2.dataset.emoji;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.cogview2.dataset.DatasetFormatException;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Pattern;

/**
 * The emoji worth a picture, from emojibase-data's {@code en/data.json} and {@code zh/data.json} (arrays of
 * {@code {hexcode, label, tags?, group?, skins?, ...}}), joined by hexcode, in the English file's order.
 *
 * <p>Left out, and counted per reason: skin-tone variants (emojibase nests them under {@code skins}; one picture per
 * emoji keeps the set balanced), the {@code component} group (skin-tone swatches and hair pieces: parts of other emoji,
 * not pictures of anything), regional indicator letters (halves of flags), other entries with no group, and emoji
 * with no Chinese label.
 */
public final class EmojibaseCatalog {

    /** Skip reasons, as reported. */
    public static final String SKIN_TONE_VARIANT = "skin-tone variant";
    public static final String COMPONENT = "component (part of other emoji, not a picture)";
    public static final String REGIONAL_INDICATOR = "regional indicator letter";
    public static final String NO_GROUP = "no group (not a picture)";
    public static final String NO_ZH_LABEL = "no zh label";
    public static final String DUPLICATE = "duplicate hexcode";

    /** emojibase's group number of {@code component} (see its {@code messages.json}). */
    static final int COMPONENT_GROUP = 2;

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final Pattern HEXCODE = Pattern.compile("[0-9A-F]{4,6}(-[0-9A-F]{4,6})*");

    private final List<EmojiCaption> emoji;
    private final Map<String, Integer> skipped;

    private EmojibaseCatalog(List<EmojiCaption> emoji, Map<String, Integer> skipped) {
        this.emoji = List.copyOf(emoji);
        this.skipped = java.util.Collections.unmodifiableMap(new LinkedHashMap<>(skipped));
    }

    /** The emoji kept, in emojibase's English order. */
    public List<EmojiCaption> emoji() {
        return emoji;
    }

    /** How many entries were left out, per reason (only reasons that occurred). */
    public Map<String, Integer> skipped() {
        return skipped;
    }

    /** Reads and joins the two files; a malformed file is a {@link DatasetFormatException} naming it, the entry and the field. */
    public static EmojibaseCatalog read(Path enDataJson, Path zhDataJson) {
        JsonNode en = readArray(enDataJson);
        JsonNode zh = readArray(zhDataJson);
        Map<String, JsonNode> zhByHexcode = new HashMap<>();
        for (int i = 0; i < zh.size(); i++) {
            JsonNode entry = object(zhDataJson, i, zh.get(i));
            zhByHexcode.putIfAbsent(hexcode(zhDataJson, i, entry), entry);
        }
        Map<String, Integer> skipped = new LinkedHashMap<>();
        List<EmojiCaption> kept = new ArrayList<>();
        java.util.Set<String> seen = new java.util.HashSet<>();
        for (int i = 0; i < en.size(); i++) {
            JsonNode entry = object(enDataJson, i, en.get(i));
            String hexcode = hexcode(enDataJson, i, entry);
            String label = text(enDataJson, i, hexcode, entry, "label");
            List<String> tagsEn = tags(enDataJson, i, hexcode, entry); // checked for skipped entries too
            JsonNode skins = entry.get("skins");
            if (skins != null && !skins.isNull()) {
                if (!skins.isArray()) {
                    throw fault(enDataJson, i, hexcode, "skins", "must be an array, got " + skins);
                }
                count(skipped, SKIN_TONE_VARIANT, skins.size());
            }
            String reason = reasonToSkip(enDataJson, i, hexcode, label, entry);
            if (reason == null && !seen.add(hexcode)) {
                reason = DUPLICATE;
            }
            JsonNode zhEntry = zhByHexcode.get(hexcode);
            String labelZh = zhEntry == null ? null : optionalText(zhDataJson, hexcode, zhEntry, "label");
            if (reason == null && (labelZh == null || labelZh.isBlank())) {
                reason = NO_ZH_LABEL;
            }
            if (reason != null) {
                count(skipped, reason, 1);
                continue;
            }
            kept.add(new EmojiCaption(hexcode, label, labelZh, tagsEn, tags(zhDataJson, -1, hexcode, zhEntry)));
        }
        return new EmojibaseCatalog(kept, skipped);
    }

    private static String reasonToSkip(Path file, int index, String hexcode, String label, JsonNode entry) {
        if (entry.hasNonNull("tone")) {
            return SKIN_TONE_VARIANT; // a variant listed at the top level (emojibase nests them; kept for safety)
        }
        JsonNode group = entry.get("group");
        if (group == null || group.isNull()) {
            return label.startsWith("regional indicator") ? REGIONAL_INDICATOR : NO_GROUP;
        }
        if (!group.canConvertToInt()) {
            throw fault(file, index, hexcode, "group", "must be a whole number, got " + group);
        }
        return group.asInt() == COMPONENT_GROUP ? COMPONENT : null;
    }

    private static JsonNode readArray(Path file) {
        JsonNode root;
        try {
            root = JSON.readTree(file.toFile());
        } catch (JsonProcessingException e) {
            throw new DatasetFormatException(file, "not JSON (" + e.getOriginalMessage() + ", line "
                    + e.getLocation().getLineNr() + ")", e);
        } catch (IOException e) {
            throw new DatasetFormatException(file, "cannot read emojibase data: " + e.getMessage(), e);
        }
        if (root == null || !root.isArray()) {
            throw new DatasetFormatException(file, "expected emojibase data: a JSON array of emoji objects");
        }
        return root;
    }

    private static JsonNode object(Path file, int index, JsonNode entry) {
        if (!entry.isObject()) {
            throw new DatasetFormatException(file, "entry " + index + ": expected an object, got " + entry);
        }
        return entry;
    }

    private static String hexcode(Path file, int index, JsonNode entry) {
        String hexcode = text(file, index, null, entry, "hexcode");
        if (!HEXCODE.matcher(hexcode).matches()) {
            throw fault(file, index, null, "hexcode", "must be upper-case hex code points joined by '-', got '" + hexcode + "'");
        }
        return hexcode;
    }

    private static String text(Path file, int index, String hexcode, JsonNode entry, String field) {
        JsonNode v = entry.get(field);
        if (v == null || v.isNull()) {
            throw fault(file, index, hexcode, field, "is missing");
        }
        if (!v.isTextual() || v.asText().isBlank()) {
            throw fault(file, index, hexcode, field, "must be a non-empty string, got " + v);
        }
        return v.asText();
    }

    private static String optionalText(Path file, String hexcode, JsonNode entry, String field) {
        JsonNode v = entry.get(field);
        if (v == null || v.isNull()) {
            return null;
        }
        if (!v.isTextual()) {
            throw fault(file, -1, hexcode, field, "must be a string, got " + v);
        }
        return v.asText();
    }

    private static List<String> tags(Path file, int index, String hexcode, JsonNode entry) {
        JsonNode v = entry.get("tags");
        if (v == null || v.isNull()) {
            return List.of();
        }
        if (!v.isArray()) {
            throw fault(file, index, hexcode, "tags", "must be an array of strings, got " + v);
        }
        List<String> out = new ArrayList<>();
        for (JsonNode t : v) {
            if (!t.isTextual()) {
                throw fault(file, index, hexcode, "tags", "holds a non-string " + t);
            }
            out.add(t.asText());
        }
        return out;
    }

    private static DatasetFormatException fault(Path file, int index, String hexcode, String field, String problem) {
        String where = index >= 0 ? "entry " + index : "entry";
        if (hexcode != null) {
            where += " (hexcode " + hexcode + ")";
        }
        return new DatasetFormatException(file, where + ": field '" + field + "' " + problem);
    }

    private static void count(Map<String, Integer> counts, String reason, int n) {
        if (n > 0) {
            counts.merge(reason, n, Integer::sum);
        }
    }
}
