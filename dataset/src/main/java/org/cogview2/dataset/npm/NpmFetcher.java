package org.cogview2.dataset.npm;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import java.util.stream.Stream;

/**
 * Brings pinned npm packages into a local folder with the machine's {@code npm} ({@code npm pack}), checks each
 * tarball against its pinned sha512 before anything reads it, unpacks it, and checks the {@code license} field of its
 * {@code package.json}. A verified tarball already in the folder is reused without running npm, so a second run works
 * offline.
 *
 * <p>Layout under the sources folder: {@code <pkg>-<version>.tgz} and {@code <pkg>-<version>/package/...}.
 */
public final class NpmFetcher {

    /** Written into an unpacked folder last: its content is the integrity of the tarball it came from. */
    static final String UNPACKED_MARKER = ".unpacked-from";

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final long NPM_TIMEOUT_MINUTES = 10;

    private final String npmCommand;
    private final Consumer<String> log;

    /**
     * @param npmCommand the npm program to run ({@code npm} finds it on the PATH)
     * @param log        receives one line per step (which package is fetched, reused, unpacked)
     */
    public NpmFetcher(String npmCommand, Consumer<String> log) {
        this.npmCommand = npmCommand;
        this.log = log;
    }

    /** A fetcher running {@code npm} from the PATH. */
    public static NpmFetcher onPath(Consumer<String> log) {
        return new NpmFetcher("npm", log);
    }

    /** A package's verified tarball and the folder its files were unpacked into ({@code .../package}). */
    public record Fetched(NpmPackage pkg, Path tarball, Path packageDir, boolean reused) {
    }

    /** Fetches (or reuses), verifies, unpacks and licence-checks one package under {@code sourcesDir}. */
    public Fetched fetch(NpmPackage pkg, Path sourcesDir) {
        try {
            Files.createDirectories(sourcesDir);
            Path tarball = sourcesDir.resolve(pkg.tarballFileName());
            boolean reused = Files.isRegularFile(tarball) && Integrity.matches(pkg, tarball);
            if (reused) {
                log.accept("reusing " + pkg + " (" + tarball.getFileName() + ", checksum verified)");
            } else {
                if (Files.exists(tarball)) {
                    log.accept(tarball.getFileName() + " does not have the pinned checksum: fetching it again");
                    Files.delete(tarball);
                }
                download(pkg, sourcesDir, tarball);
            }
            Path unpacked = unpack(pkg, tarball, sourcesDir.resolve(pkg.folderName()));
            Path packageDir = unpacked.resolve("package");
            checkLicense(pkg, packageDir.resolve("package.json"));
            return new Fetched(pkg, tarball, packageDir, reused);
        } catch (IOException e) {
            throw new SourceFetchException(pkg + ": " + e.getMessage(), e);
        }
    }

    private void download(NpmPackage pkg, Path sourcesDir, Path tarball) throws IOException {
        log.accept("fetching " + pkg + " with npm");
        Path staging = Files.createTempDirectory(sourcesDir, ".download-");
        try {
            List<String> command = List.of(npmCommand, "pack", pkg.spec(), "--pack-destination", staging.toString(),
                    "--ignore-scripts", "--no-fund", "--no-audit", "--loglevel=error");
            String output = run(pkg, command, staging);
            Path fetched = staging.resolve(pkg.tarballFileName());
            if (!Files.isRegularFile(fetched)) {
                throw new SourceFetchException(pkg + ": npm pack did not write " + fetched.getFileName() + "; its output was:\n" + output);
            }
            // Checked before the file takes its final name, so a bad tarball is never reused.
            Integrity.verify(pkg, fetched);
            Files.move(fetched, tarball, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
        } finally {
            deleteTree(staging);
        }
    }

    private String run(NpmPackage pkg, List<String> command, Path workDir) throws IOException {
        Process process;
        try {
            process = new ProcessBuilder(command).directory(workDir.toFile()).redirectErrorStream(true).start();
        } catch (IOException e) {
            throw new SourceFetchException(pkg + ": npm is needed to fetch this package but '" + npmCommand
                    + "' could not be started (" + e.getMessage() + "); install Node.js with npm, or put the verified tarball "
                    + pkg.tarballFileName() + " into the sources folder", e);
        }
        process.getOutputStream().close();
        String output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        try {
            if (!process.waitFor(NPM_TIMEOUT_MINUTES, TimeUnit.MINUTES)) {
                process.destroyForcibly();
                throw new SourceFetchException(pkg + ": npm pack took longer than " + NPM_TIMEOUT_MINUTES + " minutes");
            }
        } catch (InterruptedException e) {
            process.destroyForcibly();
            Thread.currentThread().interrupt();
            throw new SourceFetchException(pkg + ": interrupted while npm ran", e);
        }
        if (process.exitValue() != 0) {
            throw new SourceFetchException(pkg + ": '" + String.join(" ", command) + "' failed with exit status "
                    + process.exitValue() + ":\n" + output.strip());
        }
        return output;
    }

    private Path unpack(NpmPackage pkg, Path tarball, Path folder) throws IOException {
        Path marker = folder.resolve(UNPACKED_MARKER);
        if (Files.isRegularFile(marker) && Files.readString(marker, StandardCharsets.UTF_8).strip().equals(pkg.integrity())) {
            return folder;
        }
        deleteTree(folder);
        Path staging = Files.createTempDirectory(folder.getParent(), ".unpack-");
        try {
            int files = TarballExtractor.extract(tarball, staging);
            Files.writeString(staging.resolve(UNPACKED_MARKER), pkg.integrity() + "\n", StandardCharsets.UTF_8);
            Files.move(staging, folder, StandardCopyOption.ATOMIC_MOVE);
            log.accept("unpacked " + pkg + ": " + files + " files");
        } finally {
            deleteTree(staging);
        }
        return folder;
    }

    /** Checks the {@code license} field of an unpacked package against the pin. */
    static void checkLicense(NpmPackage pkg, Path packageJson) {
        JsonNode manifest;
        try {
            manifest = JSON.readTree(packageJson.toFile());
        } catch (IOException e) {
            throw new SourceFetchException(pkg + ": cannot read " + packageJson + " (" + e.getMessage() + ")", e);
        }
        JsonNode license = manifest == null ? null : manifest.get("license");
        String actual = license == null ? null : license.isTextual() ? license.asText() : license.path("type").asText(null);
        if (!pkg.license().equals(actual)) {
            throw new SourceFetchException(pkg + ": " + packageJson + " field 'license' is " + (actual == null ? "missing" : "'" + actual + "'")
                    + ", expected '" + pkg.license() + "' (the licence this package was pinned with)");
        }
    }

    private static void deleteTree(Path dir) throws IOException {
        if (!Files.exists(dir)) {
            return;
        }
        List<Path> paths;
        try (Stream<Path> walk = Files.walk(dir)) {
            paths = new ArrayList<>(walk.sorted(Comparator.reverseOrder()).toList());
        }
        for (Path p : paths) {
            try {
                Files.deleteIfExists(p);
            } catch (IOException e) {
                throw new UncheckedIOException("cannot delete " + p, e);
            }
        }
    }
}
