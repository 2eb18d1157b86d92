package org.cogview2.demomodels;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.stream.Stream;

/**
 * A model set's folder in the user's cache, written once: filled in a temporary folder beside it, marked with a
 * {@code READY} file, then moved into place in one step, so that a reader never sees half a set and several processes
 * may race (the first to finish wins; the others' identical copies are dropped). The shipped set and the random test
 * set both live in such folders.
 */
public final class CacheFolder {

    /** The file that marks a complete folder. */
    public static final String READY = "READY";

    /** Writes the files of a set into an empty folder; returns the text of its {@code READY} file. */
    @FunctionalInterface
    public interface Filler {
        String fill(Path dir) throws IOException;
    }

    private CacheFolder() {
    }

    /**
     * {@code -D<property>} if set, else {@code $COGVIEW2_CACHE/<name>}, else {@code ~/.cache/cogview2/<name>}.
     */
    public static Path resolve(String property, String name) {
        String dir = System.getProperty(property);
        if (dir != null && !dir.isBlank()) {
            return Path.of(dir);
        }
        String cache = System.getenv("COGVIEW2_CACHE");
        Path base = cache != null && !cache.isBlank() ? Path.of(cache)
                : Path.of(System.getProperty("user.home"), ".cache", "cogview2");
        return base.resolve(name);
    }

    /** Whether {@code dir} holds a complete set. */
    public static boolean isReady(Path dir) {
        return Files.isRegularFile(dir.resolve(READY));
    }

    /** Fills {@code dir} with {@code filler} unless it is complete already; returns {@code dir}. */
    public static Path ensure(Path dir, String what, Filler filler) {
        if (isReady(dir)) {
            return dir;
        }
        try {
            Path parent = dir.toAbsolutePath().getParent();
            Files.createDirectories(parent);
            Path tmp = Files.createTempDirectory(parent, dir.getFileName() + "-tmp");
            try {
                Files.writeString(tmp.resolve(READY), filler.fill(tmp));
                try {
                    Files.move(tmp, dir, StandardCopyOption.ATOMIC_MOVE);
                } catch (FileAlreadyExistsException | AtomicMoveNotSupportedException e) {
                    if (!isReady(dir)) {
                        throw e;
                    }
                } catch (IOException e) {
                    if (!isReady(dir)) {
                        throw e;
                    }
                    // Another process finished first: its copy is identical.
                }
            } finally {
                deleteTree(tmp);
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write " + what + " into " + dir + ": " + e.getMessage(), e);
        }
        return dir;
    }

    private static void deleteTree(Path dir) throws IOException {
        if (!Files.exists(dir)) {
            return;
        }
        try (Stream<Path> walk = Files.walk(dir)) {
            List<Path> paths = new ArrayList<>(walk.sorted(Comparator.reverseOrder()).toList());
            for (Path p : paths) {
                Files.deleteIfExists(p);
            }
        }
    }
}
