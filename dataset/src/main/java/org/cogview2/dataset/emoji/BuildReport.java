package org.cogview2.dataset.emoji;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;

import java.time.Duration;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * What a build made and left out; written as {@code dataset.json} and printed as a summary.
 *
 * @param emoji           emoji kept from emojibase (with captions in both languages)
 * @param skippedCaptions emojibase entries left out, per reason
 * @param styles          per picture style, in build order
 * @param trainPairs      pairs in the training split
 * @param heldoutPairs    pairs in the held-out split
 * @param trainEmoji      emoji with at least one pair in the training split
 * @param heldoutEmoji    emoji with at least one pair in the held-out split
 * @param wallTime        how long the build took (fetching excluded)
 * @param threads         worker threads that drew the pictures
 */
public record BuildReport(int emoji, Map<String, Integer> skippedCaptions, List<StyleReport> styles, int trainPairs,
                          int heldoutPairs, int trainEmoji, int heldoutEmoji, Duration wallTime, int threads) {

    /** Why a picture is not in the set. */
    public record Failure(String id, String reason) {
    }

    /**
     * One style's counts.
     *
     * @param pairs     pictures in the manifest
     * @param rendered  pictures drawn by this run
     * @param reused    pictures whose PNGs a previous run left and that still decode
     * @param noPicture hexcodes of emoji the set has no picture for
     * @param failed    pictures that could not be drawn, with the reason
     */
    public record StyleReport(String style, int pairs, int rendered, int reused, List<String> noPicture, List<Failure> failed) {
        public StyleReport {
            noPicture = List.copyOf(noPicture);
            failed = List.copyOf(failed);
        }
    }

    public BuildReport {
        skippedCaptions = Map.copyOf(skippedCaptions);
        styles = List.copyOf(styles);
    }

    public int pairs() {
        return trainPairs + heldoutPairs;
    }

    public int rendered() {
        return styles.stream().mapToInt(StyleReport::rendered).sum();
    }

    public int reused() {
        return styles.stream().mapToInt(StyleReport::reused).sum();
    }

    public int failed() {
        return styles.stream().mapToInt(s -> s.failed().size()).sum();
    }

    /** The report as lines for a person. */
    public List<String> summaryLines() {
        List<String> lines = new java.util.ArrayList<>();
        lines.add(String.format(Locale.ROOT, "%d pairs of %d emoji (train %d pairs / %d emoji, heldout %d pairs / %d emoji)",
                pairs(), emoji, trainPairs, trainEmoji, heldoutPairs, heldoutEmoji));
        for (StyleReport s : styles) {
            lines.add(String.format(Locale.ROOT, "  %-12s %5d pairs (rendered %d, reused %d), no picture for %d emoji, failed %d",
                    s.style(), s.pairs(), s.rendered(), s.reused(), s.noPicture().size(), s.failed().size()));
            for (Failure f : s.failed().subList(0, Math.min(5, s.failed().size()))) {
                lines.add("      failed " + f.id() + ": " + f.reason());
            }
            if (s.failed().size() > 5) {
                lines.add("      ... and " + (s.failed().size() - 5) + " more (see dataset.json)");
            }
        }
        StringBuilder skipped = new StringBuilder("  emojibase entries left out:");
        new java.util.TreeMap<>(skippedCaptions).forEach((reason, n) -> skipped.append(' ').append(reason).append(' ').append(n).append(','));
        lines.add(skipped.charAt(skipped.length() - 1) == ',' ? skipped.substring(0, skipped.length() - 1) : skipped + " none");
        lines.add(String.format(Locale.ROOT, "  rendered %d, reused %d, failed %d in %.1f s on %d threads",
                rendered(), reused(), failed(), wallTime.toMillis() / 1000.0, threads));
        return lines;
    }

    /** The {@code dataset.json} document. */
    ObjectNode toJson(ObjectMapper json, List<SourceCredit> credits, int[] sizes) {
        ObjectNode o = json.createObjectNode();
        o.put("name", "cogview2-emoji");
        o.put("format_version", 1);
        o.put("pairs", pairs());
        o.put("emoji", emoji);
        ArrayNode sizeArray = o.putArray("image_sizes");
        for (int s : sizes) {
            sizeArray.add(s);
        }
        ObjectNode split = o.putObject("split");
        split.put("rule", "SHA-256 of UTF-8 \"" + EmojiSplit.SALT + "\" + emojibase hexcode; first 8 bytes as unsigned "
                + "big-endian 64-bit integer; mod 100 < " + EmojiSplit.HELDOUT_PERCENT + " -> heldout, else train");
        split.put("train_pairs", trainPairs);
        split.put("heldout_pairs", heldoutPairs);
        split.put("train_emoji", trainEmoji);
        split.put("heldout_emoji", heldoutEmoji);
        ObjectNode styleNode = o.putObject("styles");
        for (StyleReport s : styles) {
            ObjectNode n = styleNode.putObject(s.style());
            n.put("pairs", s.pairs());
            n.put("rendered", s.rendered());
            n.put("reused", s.reused());
            n.put("no_picture", s.noPicture().size());
            ArrayNode missing = n.putArray("no_picture_hexcodes");
            s.noPicture().forEach(missing::add);
            ArrayNode failed = n.putArray("render_failed");
            for (Failure f : s.failed()) {
                failed.addObject().put("id", f.id()).put("reason", f.reason());
            }
        }
        ObjectNode skipped = o.putObject("skipped_captions");
        new java.util.TreeMap<>(skippedCaptions).forEach(skipped::put);
        ArrayNode sources = o.putArray("sources");
        for (SourceCredit c : credits) {
            ObjectNode n = sources.addObject();
            n.put("package", c.pkg().name());
            n.put("version", c.pkg().version());
            n.put("integrity", c.pkg().integrity());
            n.put("package_license", c.pkg().license());
            n.put("content_license", c.contentLicense());
            n.put("role", c.role());
            if (c.style() != null) {
                n.put("style", c.style());
            }
            n.put("url", c.url());
        }
        ObjectNode build = o.putObject("build");
        build.put("rendered", rendered());
        build.put("reused", reused());
        build.put("failed", failed());
        build.put("threads", threads);
        build.put("wall_seconds", Math.round(wallTime.toMillis() / 100.0) / 10.0);
        return o;
    }
}
