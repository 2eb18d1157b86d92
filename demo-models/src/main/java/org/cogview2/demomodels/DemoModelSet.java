package org.cogview2.demomodels;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.DigestInputStream;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The emoji model set that this project trained (see this module's README): a {@code SAT_HOME}-like folder with
 * {@code coglm}, {@code cogview2-dsr}, {@code cogview2-itersr}, {@code icetk/} and {@code cluster_label.npy}, shipped
 * in this jar and unpacked into a cache folder on first use. Every file is checked against {@code SHA256SUMS} as it
 * is unpacked; a folder is used only once complete (it is written beside its final name and moved into place), and
 * later uses check that each file is still there with its unpacked size.
 */
public final class DemoModelSet {

    /** Bump with the files, so that an old cache is never taken for the new set. */
    public static final String VERSION = "emoji-demo-v2";
    /** What users are told they are running. */
    public static final String DESCRIPTION = "the built-in emoji demo models (" + VERSION + ")";

    private static final String ROOT = "/org/cogview2/demomodels/set/";
    private static final String SUMS = "SHA256SUMS";

    private DemoModelSet() {
    }

    /** The cache folder: {@code -Dcogview2.demoset.dir}, else {@code $COGVIEW2_CACHE/<version>}, else {@code ~/.cache/cogview2/<version>}. */
    public static Path defaultDirectory() {
        return CacheFolder.resolve("cogview2.demoset.dir", VERSION);
    }

    /** The set in the default folder, unpacked first if needed. */
    public static Path ensure() {
        return ensure(defaultDirectory());
    }

    /**
     * The set in {@code dir}, unpacked and verified first if needed (safe when several processes race); returns
     * {@code dir}.
     *
     * @throws IllegalStateException naming the file when a shipped file is missing from the jar, its checksum does not
     *                               match, or an unpacked file was removed or changed size since
     */
    public static Path ensure(Path dir) {
        CacheFolder.ensure(dir, "the demo models", DemoModelSet::unpackInto);
        checkUnpacked(dir);
        return dir;
    }

    /** The files of the set (relative paths) and their SHA-256, as listed in {@code SHA256SUMS}. */
    public static Map<String, String> checksums() {
        Map<String, String> out = new LinkedHashMap<>();
        String text;
        try (InputStream in = resource(SUMS)) {
            text = new String(in.readAllBytes(), StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read " + SUMS + " of the demo model set", e);
        }
        int line = 0;
        for (String l : text.split("\n")) {
            line++;
            if (l.isBlank()) {
                continue;
            }
            String[] parts = l.trim().split("\\s+", 2);
            if (parts.length != 2 || !parts[0].matches("[0-9a-f]{64}") || parts[1].contains("..")) {
                throw new IllegalStateException(SUMS + " of the demo model set, line " + line
                        + ": expected '<64 hex digits>  <relative path>', got '" + l + "'");
            }
            out.put(parts[1], parts[0]);
        }
        return out;
    }

    /** Unpacks every listed file into {@code tmp}, checking its checksum; returns the READY list (sizes and names). */
    private static String unpackInto(Path tmp) throws IOException {
        StringBuilder sizes = new StringBuilder(VERSION + "\n");
        for (Map.Entry<String, String> f : checksums().entrySet()) {
            Path target = tmp.resolve(f.getKey());
            Files.createDirectories(target.getParent());
            String actual = copy(f.getKey(), target);
            if (!actual.equals(f.getValue())) {
                throw new IllegalStateException("demo model file " + f.getKey() + " has SHA-256 " + actual
                        + ", but " + SUMS + " says " + f.getValue() + ": the jar is damaged or was built from other files");
            }
            sizes.append(Files.size(target)).append(' ').append(f.getKey()).append('\n');
        }
        return sizes.toString();
    }

    /** Every file the READY list names is present with its unpacked size. */
    private static void checkUnpacked(Path dir) {
        List<String> lines;
        try {
            lines = Files.readAllLines(dir.resolve(CacheFolder.READY));
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read " + dir.resolve(CacheFolder.READY), e);
        }
        if (lines.isEmpty() || !lines.get(0).equals(VERSION)) {
            throw new IllegalStateException(dir.resolve(CacheFolder.READY) + " is not from " + VERSION + "; delete " + dir + " to unpack again");
        }
        for (String l : lines.subList(1, lines.size())) {
            String[] parts = l.split(" ", 2);
            Path f = dir.resolve(parts[1]);
            try {
                if (!Files.isRegularFile(f) || Files.size(f) != Long.parseLong(parts[0])) {
                    throw new IllegalStateException("demo model file " + f + " is missing or changed size since it was "
                            + "unpacked; delete " + dir + " to unpack again");
                }
            } catch (IOException e) {
                throw new UncheckedIOException("cannot read " + f, e);
            }
        }
    }

    /** Copies a shipped file, returning its SHA-256. */
    private static String copy(String name, Path target) throws IOException {
        MessageDigest digest;
        try {
            digest = MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
        try (InputStream in = new DigestInputStream(resource(name), digest);
             OutputStream out = Files.newOutputStream(target)) {
            in.transferTo(out);
        }
        return HexFormat.of().formatHex(digest.digest());
    }

    private static InputStream resource(String name) {
        InputStream in = DemoModelSet.class.getResourceAsStream(ROOT + name);
        if (in == null) {
            throw new IllegalStateException("the demo model set has no file " + name + " (class path: "
                    + DemoModelSet.class.getProtectionDomain().getCodeSource() + ")");
        }
        return in;
    }
}
