package org.cogview2.conformance;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.Optional;

/**
 * Locates the golden test vectors of the official code: the folder named by the system property
 * {@value #GOLDEN_PROPERTY}; else {@code <cogview2.shared>/golden}; else the first {@code ../shared/golden} found
 * from the working directory upwards.
 */
public final class GoldenData {

    /** System property naming the golden folder (the one holding {@code README.md} and the case folders). */
    public static final String GOLDEN_PROPERTY = "cogview2.golden";
    private static final String SHARED_PROPERTY = "cogview2.shared";

    private GoldenData() {
    }

    /** The golden folder, if it can be found. */
    public static Optional<Path> locate() {
        String golden = System.getProperty(GOLDEN_PROPERTY);
        if (golden != null && !golden.isBlank()) {
            Path p = Paths.get(golden);
            return Files.isDirectory(p) ? Optional.of(p.toAbsolutePath().normalize()) : Optional.empty();
        }
        String shared = System.getProperty(SHARED_PROPERTY);
        if (shared != null && !shared.isBlank() && Files.isDirectory(Paths.get(shared, "golden"))) {
            return Optional.of(Paths.get(shared, "golden").toAbsolutePath().normalize());
        }
        for (Path dir = Paths.get("").toAbsolutePath(); dir != null; dir = dir.getParent()) {
            Path candidate = dir.resolve("..").resolve("shared").resolve("golden").normalize();
            if (Files.isDirectory(candidate)) {
                return Optional.of(candidate);
            }
        }
        return Optional.empty();
    }

    /** A case folder, if the golden folder and the case exist. */
    public static Optional<Path> caseFolder(String caseName) {
        return locate().map(p -> p.resolve(caseName)).filter(Files::isDirectory);
    }

    /** Why {@link #caseFolder} found nothing, for skip messages. */
    public static String notFoundReason(String caseName) {
        return locate().isEmpty()
                ? "golden data not found (set -D" + GOLDEN_PROPERTY + "=<folder> or place it at ../shared/golden)"
                : "golden case '" + caseName + "' not found in " + locate().get();
    }
}
