package org.cogview2.dataset.emoji;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.cogview2.dataset.DatasetFormatException;
import org.cogview2.dataset.SvgPicture;

import java.io.IOException;
import java.nio.file.Path;
import java.text.Normalizer;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * An emoji set in Iconify JSON form ({@code icons.json}: {@code {prefix, icons: {name: {body, width?, height?, left?,
 * top?, rotate?, hFlip?, vFlip?}}, aliases?: {name: {parent, ...}}, width?, height?}}), with its optional
 * {@code chars.json} ({@code {"1f42f": "tiger-face"}}: code points, FE0F dropped, to icon names).
 *
 * <p>An emoji is looked up, in this order, by its code points in {@code chars.json} (with and without FE0F), by its
 * English label in kebab case ("tiger face" → {@code tiger-face}: Iconify names its emoji icons after the CLDR name),
 * and by Noto's file naming ({@code emoji_u1f42f}). The whole file is checked when it is read: a malformed one is a
 * {@link DatasetFormatException} naming the file and the field.
 */
public final class IconifySet implements PictureSource {

    /** Iconify's box when neither the icon nor the set gives one. */
    private static final double DEFAULT_SIZE = 16;

    private static final ObjectMapper JSON = new ObjectMapper();

    private final String style;
    private final Path iconsFile;
    private final Map<String, IconifyIcon> icons;
    private final Map<String, String> chars;

    private IconifySet(String style, Path iconsFile, Map<String, IconifyIcon> icons, Map<String, String> chars) {
        this.style = style;
        this.iconsFile = iconsFile;
        this.icons = Map.copyOf(icons);
        this.chars = Map.copyOf(chars);
    }

    /**
     * Reads an Iconify set.
     *
     * @param charsJson its {@code chars.json}, or {@code null} to look icons up by name only
     */
    public static IconifySet read(String style, Path iconsJson, Path charsJson) {
        JsonNode root = readObject(iconsJson);
        Defaults defaults = new Defaults(
                number(iconsJson, root, "left", "left", 0, false),
                number(iconsJson, root, "top", "top", 0, false),
                number(iconsJson, root, "width", "width", DEFAULT_SIZE, true),
                number(iconsJson, root, "height", "height", DEFAULT_SIZE, true));
        JsonNode iconsNode = root.get("icons");
        if (iconsNode == null || !iconsNode.isObject()) {
            throw new DatasetFormatException(iconsJson, "field 'icons' must be an object of name -> {body, ...}, got "
                    + (iconsNode == null ? "nothing" : iconsNode.getNodeType().name().toLowerCase(Locale.ROOT)));
        }
        Map<String, IconifyIcon> icons = new HashMap<>();
        for (Map.Entry<String, JsonNode> e : iconsNode.properties()) {
            String field = "icons." + e.getKey();
            JsonNode icon = objectField(iconsJson, field, e.getValue());
            JsonNode body = icon.get("body");
            if (body == null || !body.isTextual()) {
                throw new DatasetFormatException(iconsJson, "field '" + field + ".body' must be a string (the SVG content), got "
                        + (body == null ? "nothing" : body.toString()));
            }
            icons.put(e.getKey(), new IconifyIcon(body.asText(),
                    number(iconsJson, icon, field + ".left", "left", defaults.left, false),
                    number(iconsJson, icon, field + ".top", "top", defaults.top, false),
                    number(iconsJson, icon, field + ".width", "width", defaults.width, true),
                    number(iconsJson, icon, field + ".height", "height", defaults.height, true),
                    quarterTurns(iconsJson, icon, field),
                    flag(iconsJson, icon, field, "hFlip"), flag(iconsJson, icon, field, "vFlip")));
        }
        JsonNode aliases = root.get("aliases");
        if (aliases != null && !aliases.isNull()) {
            if (!aliases.isObject()) {
                throw new DatasetFormatException(iconsJson, "field 'aliases' must be an object of name -> {parent, ...}, got " + aliases);
            }
            Map<String, IconifyIcon> resolved = new HashMap<>();
            for (Map.Entry<String, JsonNode> alias : aliases.properties()) {
                String name = alias.getKey();
                resolved.put(name, resolveAlias(iconsJson, name, aliases, icons));
            }
            resolved.forEach(icons::putIfAbsent);
        }
        return new IconifySet(style, iconsJson, icons, charsJson == null ? Map.of() : readChars(charsJson));
    }

    @Override
    public String style() {
        return style;
    }

    /** How many icons (and aliases) the set has. */
    public int size() {
        return icons.size();
    }

    @Override
    public Optional<SvgPicture> find(EmojiCaption emoji) {
        for (String name : candidates(emoji)) {
            IconifyIcon icon = icons.get(name);
            if (icon != null) {
                return Optional.of(new SvgPicture(iconsFile, name, icon::toSvgDocument));
            }
        }
        return Optional.empty();
    }

    /** Icon names an emoji may have in this set, most exact first. */
    List<String> candidates(EmojiCaption emoji) {
        Set<String> out = new LinkedHashSet<>();
        String withZeros = emoji.key();
        String withoutSelector = String.join("-", java.util.Arrays.stream(withZeros.split("-")).filter(p -> !p.equals("fe0f")).toList());
        for (String key : List.of(withZeros, withoutSelector)) {
            String name = chars.get(key);
            if (name != null) {
                out.add(name);
            }
        }
        out.add(kebab(emoji.labelEn()));
        out.add(kebab(emoji.labelEn().replace("&", " and ")));
        List<String> points = emoji.codePoints().stream().filter(p -> !p.equals("fe0f")).toList();
        out.add("emoji_u" + String.join("_", points));
        return new ArrayList<>(out);
    }

    /** "tiger face" → {@code tiger-face}; accents dropped ("piñata" → {@code pinata}), apostrophes removed ("o’clock" → {@code oclock}). */
    static String kebab(String label) {
        String ascii = Normalizer.normalize(label, Normalizer.Form.NFD).replaceAll("\\p{M}+", "");
        return ascii.toLowerCase(Locale.ROOT).replaceAll("['’]", "").replaceAll("[^a-z0-9]+", "-").replaceAll("^-+|-+$", "");
    }

    private record Defaults(double left, double top, double width, double height) {
    }

    private static IconifyIcon resolveAlias(Path file, String name, JsonNode aliases, Map<String, IconifyIcon> icons) {
        // The chain from this alias up to an icon; its transformations add up, its box fields: the nearest wins.
        List<JsonNode> chain = new ArrayList<>();
        List<String> fields = new ArrayList<>();
        Set<String> visited = new LinkedHashSet<>();
        String current = name;
        IconifyIcon base;
        while (true) {
            if (!visited.add(current)) {
                throw new DatasetFormatException(file, "field 'aliases." + name + "': the alias chain loops (" + String.join(" -> ", visited) + " -> " + current + ")");
            }
            String field = "aliases." + current;
            JsonNode alias = objectField(file, field, aliases.get(current));
            JsonNode parent = alias.get("parent");
            if (parent == null || !parent.isTextual()) {
                throw new DatasetFormatException(file, "field '" + field + ".parent' must be the name of an icon or alias, got "
                        + (parent == null ? "nothing" : parent.toString()));
            }
            chain.addFirst(alias);
            fields.addFirst(field);
            String p = parent.asText();
            if (icons.containsKey(p)) {
                base = icons.get(p);
                break;
            }
            if (!aliases.has(p)) {
                throw new DatasetFormatException(file, "field '" + field + ".parent' names '" + p + "', which is neither an icon nor an alias");
            }
            current = p;
        }
        IconifyIcon icon = base;
        for (int i = 0; i < chain.size(); i++) {
            JsonNode a = chain.get(i);
            String field = fields.get(i);
            icon = new IconifyIcon(icon.body(),
                    number(file, a, field + ".left", "left", icon.left(), false),
                    number(file, a, field + ".top", "top", icon.top(), false),
                    number(file, a, field + ".width", "width", icon.width(), true),
                    number(file, a, field + ".height", "height", icon.height(), true),
                    (icon.rotate() + quarterTurns(file, a, field)) % 4,
                    icon.hFlip() ^ flag(file, a, field, "hFlip"),
                    icon.vFlip() ^ flag(file, a, field, "vFlip"));
        }
        return icon;
    }

    private static Map<String, String> readChars(Path file) {
        JsonNode root = readObject(file);
        Map<String, String> out = new HashMap<>();
        for (Map.Entry<String, JsonNode> e : root.properties()) {
            if (!e.getValue().isTextual()) {
                throw new DatasetFormatException(file, "field '" + e.getKey() + "' must be an icon name (a string), got " + e.getValue());
            }
            out.put(e.getKey().toLowerCase(Locale.ROOT), e.getValue().asText());
        }
        return out;
    }

    private static JsonNode readObject(Path file) {
        JsonNode root;
        try {
            root = JSON.readTree(file.toFile());
        } catch (JsonProcessingException e) {
            throw new DatasetFormatException(file, "not JSON (" + e.getOriginalMessage() + ", line " + e.getLocation().getLineNr() + ")", e);
        } catch (IOException e) {
            throw new DatasetFormatException(file, "cannot read the icon set: " + e.getMessage(), e);
        }
        if (root == null || !root.isObject()) {
            throw new DatasetFormatException(file, "expected a JSON object");
        }
        return root;
    }

    private static JsonNode objectField(Path file, String field, JsonNode v) {
        if (v == null || !v.isObject()) {
            throw new DatasetFormatException(file, "field '" + field + "' must be an object, got " + v);
        }
        return v;
    }

    private static double number(Path file, JsonNode o, String field, String key, double fallback, boolean positive) {
        JsonNode v = o.get(key);
        if (v == null || v.isNull()) {
            return fallback;
        }
        if (!v.isNumber() || !Double.isFinite(v.asDouble()) || (positive && v.asDouble() <= 0)) {
            throw new DatasetFormatException(file, "field '" + field + "' must be a " + (positive ? "positive " : "") + "number, got " + v);
        }
        return v.asDouble();
    }

    private static int quarterTurns(Path file, JsonNode o, String field) {
        JsonNode v = o.get("rotate");
        if (v == null || v.isNull()) {
            return 0;
        }
        if (!v.canConvertToInt() || !v.isIntegralNumber()) {
            throw new DatasetFormatException(file, "field '" + field + ".rotate' must be a whole number of quarter turns, got " + v);
        }
        return Math.floorMod(v.asInt(), 4);
    }

    private static boolean flag(Path file, JsonNode o, String field, String key) {
        JsonNode v = o.get(key);
        if (v == null || v.isNull()) {
            return false;
        }
        if (!v.isBoolean()) {
            throw new DatasetFormatException(file, "field '" + field + "." + key + "' must be true or false, got " + v);
        }
        return v.asBoolean();
    }
}
