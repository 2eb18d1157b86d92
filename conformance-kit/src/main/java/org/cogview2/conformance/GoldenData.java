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

    /** Environment variable that turns a missing golden folder from a skip into a failure (set by the CI build). */
    public static final String REQUIRED_VARIABLE = "COGVIEW2_REQUIRE_GOLDEN";

    /** System property that overrides {@link #REQUIRED_VARIABLE} ({@code true} or {@code false}). */
    public static final String REQUIRED_PROPERTY = "cogview2.golden.required";

    /** Whether golden data must be present here: a build that promises to run every golden case sets it. */
    public static boolean required() {
        String p = System.getProperty(REQUIRED_PROPERTY);
        if (p != null && !p.isBlank()) {
            return Boolean.parseBoolean(p);
        }
        String v = System.getenv(REQUIRED_VARIABLE);
        return v != null && !v.isBlank() && !v.equals("0");
    }

    /**
     * Skips the calling case through {@code skip} with {@link #notFoundReason}, or fails when golden data is
     * {@link #required()}.
     */
    public static void skipOrFail(String caseName, java.util.function.Consumer<String> skip) {
        String reason = notFoundReason(caseName);
        if (required()) {
            throw new IllegalStateException(reason + "; " + REQUIRED_VARIABLE + " is set, so golden data must be present");
        }
        skip.accept(reason);
    }

    /** Why {@link #caseFolder} found nothing, for skip messages. */
    public static String notFoundReason(String caseName) {
        return locate().isEmpty()
                ? "golden data not found (set -D" + GOLDEN_PROPERTY + "=<folder> or place it at ../shared/golden)"
                : "golden case '" + caseName + "' not found in " + locate().get();
    }
}
