package org.cogview2.dataset.npm;

import org.apache.commons.compress.archivers.tar.TarArchiveEntry;
import org.apache.commons.compress.archivers.tar.TarArchiveOutputStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.zip.GZIPOutputStream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/** The fetcher without a registry: tarballs are made here, and "npm" is a missing program or a small script. */
class NpmFetcherTest {

    /** A name no machine has on its PATH: proves a step runs without npm. */
    private static final String NO_NPM = "cogview2-no-such-npm-program";

    @TempDir
    Path dir;

    private final List<String> log = new ArrayList<>();

    private static Path tarball(Path file, Map<String, String> entries) throws IOException {
        Files.createDirectories(file.getParent());
        try (OutputStream out = Files.newOutputStream(file);
             TarArchiveOutputStream tar = new TarArchiveOutputStream(new GZIPOutputStream(out))) {
            tar.setLongFileMode(TarArchiveOutputStream.LONGFILE_POSIX);
            for (Map.Entry<String, String> e : entries.entrySet()) {
                byte[] bytes = e.getValue().getBytes(StandardCharsets.UTF_8);
                TarArchiveEntry entry = new TarArchiveEntry(e.getKey());
                entry.setSize(bytes.length);
                tar.putArchiveEntry(entry);
                tar.write(bytes);
                tar.closeArchiveEntry();
            }
        }
        return file;
    }

    private static Map<String, String> packageFiles(String license) {
        Map<String, String> files = new LinkedHashMap<>();
        files.put("package/package.json", "{\"name\": \"@test/pics\", \"version\": \"1.0.0\", \"license\": \"" + license + "\"}");
        files.put("package/1f42f.svg", "<svg/>");
        return files;
    }

    private static NpmPackage pinned(Path tarball, String license) {
        return new NpmPackage("@test/pics", "1.0.0", Integrity.of(tarball), license);
    }

    @Test
    void reuses_a_verified_tarball_without_running_npm() throws IOException {
        Path sources = dir.resolve("sources");
        Path tgz = tarball(sources.resolve("test-pics-1.0.0.tgz"), packageFiles("MIT"));
        NpmPackage pkg = pinned(tgz, "MIT");
        NpmFetcher.Fetched fetched = new NpmFetcher(NO_NPM, log::add).fetch(pkg, sources);
        assertTrue(fetched.reused());
        assertEquals(tgz, fetched.tarball());
        assertEquals("<svg/>", Files.readString(fetched.packageDir().resolve("1f42f.svg")));
        assertEquals(sources.resolve("test-pics-1.0.0/package"), fetched.packageDir());
        // And once more: the unpacked folder is reused as well.
        Files.writeString(fetched.packageDir().resolve("extra.txt"), "kept");
        assertTrue(Files.exists(new NpmFetcher(NO_NPM, log::add).fetch(pkg, sources).packageDir().resolve("extra.txt")));
    }

    @Test
    void a_missing_npm_is_a_clear_error_naming_the_package() {
        NpmPackage pkg = new NpmPackage("@test/pics", "1.0.0", "sha512-" + java.util.Base64.getEncoder().encodeToString(new byte[64]), "MIT");
        SourceFetchException e = assertThrows(SourceFetchException.class, () -> new NpmFetcher(NO_NPM, log::add).fetch(pkg, dir));
        assertTrue(e.getMessage().contains("@test/pics@1.0.0"), e.getMessage());
        assertTrue(e.getMessage().contains("npm is needed") && e.getMessage().contains(NO_NPM), e.getMessage());
        assertTrue(e.getMessage().contains("test-pics-1.0.0.tgz"), "says which file would do instead: " + e.getMessage());
    }

    @Test
    void a_checksum_mismatch_names_the_package_the_expected_and_the_actual_integrity() throws IOException {
        Path good = tarball(dir.resolve("good.tgz"), packageFiles("MIT"));
        Path other = tarball(dir.resolve("other.tgz"), Map.of("package/package.json", "{\"license\": \"MIT\"}"));
        NpmPackage pkg = pinned(good, "MIT");
        SourceFetchException e = assertThrows(SourceFetchException.class, () -> Integrity.verify(pkg, other));
        assertTrue(e.getMessage().contains("@test/pics@1.0.0"), e.getMessage());
        assertTrue(e.getMessage().contains("expected " + pkg.integrity()), e.getMessage());
        assertTrue(e.getMessage().contains("got " + Integrity.of(other)), e.getMessage());
    }

    /** A stand-in for npm: {@code npm pack SPEC --pack-destination DIR ...} copies a prepared tarball into DIR. */
    private Path fakeNpm(Path tarballToServe) throws IOException {
        assumeTrue(Files.isExecutable(Path.of("/bin/sh")), "needs /bin/sh for the stand-in npm");
        Path script = dir.resolve("fake-npm");
        Files.writeString(script, "#!/bin/sh\n"
                + "[ \"$1\" = pack ] || exit 3\n"
                + "cp '" + tarballToServe + "' \"$4/test-pics-1.0.0.tgz\"\n"
                + "echo test-pics-1.0.0.tgz\n");
        Files.setPosixFilePermissions(script, PosixFilePermissions.fromString("rwx------"));
        return script;
    }

    @Test
    void fetches_with_npm_verifies_and_then_reuses() throws IOException {
        Path served = tarball(dir.resolve("served/pics.tgz"), packageFiles("MIT"));
        NpmPackage pkg = pinned(served, "MIT");
        Path sources = dir.resolve("sources");
        NpmFetcher fetcher = new NpmFetcher(fakeNpm(served).toString(), log::add);
        NpmFetcher.Fetched first = fetcher.fetch(pkg, sources);
        assertFalse(first.reused());
        assertTrue(Integrity.matches(pkg, first.tarball()));
        assertTrue(new NpmFetcher(NO_NPM, log::add).fetch(pkg, sources).reused());
        try (var files = Files.list(sources)) {
            assertTrue(files.noneMatch(p -> p.getFileName().toString().startsWith(".download-")), "staging folder removed");
        }
    }

    @Test
    void a_downloaded_tarball_with_the_wrong_checksum_is_refused_and_not_kept() throws IOException {
        Path pinnedFrom = tarball(dir.resolve("pinned.tgz"), packageFiles("MIT"));
        Path served = tarball(dir.resolve("served/tampered.tgz"), packageFiles("Unlicense"));
        NpmPackage pkg = pinned(pinnedFrom, "MIT");
        Path sources = dir.resolve("sources");
        SourceFetchException e = assertThrows(SourceFetchException.class,
                () -> new NpmFetcher(fakeNpm(served).toString(), log::add).fetch(pkg, sources));
        assertTrue(e.getMessage().contains("@test/pics@1.0.0") && e.getMessage().contains("expected " + pkg.integrity())
                && e.getMessage().contains("got " + Integrity.of(served)), e.getMessage());
        assertFalse(Files.exists(sources.resolve(pkg.tarballFileName())));
    }

    @Test
    void a_cached_tarball_with_the_wrong_checksum_is_fetched_again() throws IOException {
        Path served = tarball(dir.resolve("served/pics.tgz"), packageFiles("MIT"));
        NpmPackage pkg = pinned(served, "MIT");
        Path sources = dir.resolve("sources");
        Files.createDirectories(sources);
        Files.writeString(sources.resolve(pkg.tarballFileName()), "truncated");
        NpmFetcher.Fetched fetched = new NpmFetcher(fakeNpm(served).toString(), log::add).fetch(pkg, sources);
        assertFalse(fetched.reused());
        assertTrue(Integrity.matches(pkg, fetched.tarball()));
        assertTrue(log.stream().anyMatch(l -> l.contains("does not have the pinned checksum")), log.toString());
    }

    @Test
    void a_licence_other_than_the_pinned_one_is_refused() throws IOException {
        Path sources = dir.resolve("sources");
        Path tgz = tarball(sources.resolve("test-pics-1.0.0.tgz"), packageFiles("CC-BY-SA-4.0"));
        NpmPackage pkg = pinned(tgz, "MIT");
        SourceFetchException e = assertThrows(SourceFetchException.class, () -> new NpmFetcher(NO_NPM, log::add).fetch(pkg, sources));
        assertTrue(e.getMessage().contains("@test/pics@1.0.0") && e.getMessage().contains("field 'license' is 'CC-BY-SA-4.0'")
                && e.getMessage().contains("expected 'MIT'"), e.getMessage());
    }

    @Test
    void refuses_tar_entries_that_point_outside_the_folder() throws IOException {
        Path tgz = tarball(dir.resolve("evil.tgz"), Map.of("package/../../escaped.txt", "x"));
        IOException e = assertThrows(IOException.class, () -> TarballExtractor.extract(tgz, dir.resolve("out")));
        assertTrue(e.getMessage().contains("outside"), e.getMessage());
        assertFalse(Files.exists(dir.resolve("escaped.txt")));
    }

    @Test
    void pins_must_be_well_formed_sha512() {
        assertThrows(IllegalArgumentException.class, () -> new NpmPackage("a", "1", "sha1-abc", "MIT"));
        assertThrows(IllegalArgumentException.class, () -> new NpmPackage("a", "1", "sha512-!!", "MIT"));
        assertThrows(IllegalArgumentException.class, () -> new NpmPackage("a", "1", "sha512-AAAA", "MIT"));
    }
}
