package org.cogview2.checkpoint.testing;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;

import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * Locates the shared folder beside the project root ({@code ../shared}: golden cases, the cluster table). The
 * build passes it as the system property {@code cogview2.shared}; otherwise it is searched upwards from the
 * working directory.
 */
public final class SharedTestData {

    private SharedTestData() {
    }

    /**
     * The shared folder; the calling test is skipped (with the reason) when it cannot be found, or fails when the
     * environment variable {@code COGVIEW2_REQUIRE_GOLDEN} is set (the CI build: golden cases must run there).
     */
    public static Path root() {
        Path found = find();
        String reason = "shared data folder (../shared beside the project root) not found";
        String required = System.getenv("COGVIEW2_REQUIRE_GOLDEN");
        if (found == null && required != null && !required.isBlank() && !required.equals("0")) {
            throw new AssertionError(reason + "; COGVIEW2_REQUIRE_GOLDEN is set, so it must be present");
        }
        assumeTrue(found != null, reason);
        return found;
    }

    /** {@code shared/golden}. */
    public static Path golden() {
        return root().resolve("golden");
    }

    /** A golden case folder, e.g. {@code golden("coglm_forward")}. */
    public static Path golden(String caseName) {
        return golden().resolve(caseName);
    }

    /** A golden model file or folder, e.g. {@code model("sat/coglm")}. */
    public static Path model(String relative) {
        return golden().resolve("models").resolve(relative);
    }

    private static Path find() {
        String prop = System.getProperty("cogview2.shared");
        if (prop != null && Files.isDirectory(Paths.get(prop, "golden"))) {
            return Paths.get(prop).toAbsolutePath().normalize();
        }
        for (Path dir = Paths.get("").toAbsolutePath(); dir != null; dir = dir.getParent()) {
            Path candidate = dir.resolveSibling("shared");
            if (Files.isDirectory(candidate.resolve("golden"))) {
                return candidate.normalize();
            }
        }
        return null;
    }
}
