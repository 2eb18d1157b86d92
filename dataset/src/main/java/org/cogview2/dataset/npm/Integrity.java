package org.cogview2.dataset.npm;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.Base64;

/**
 * npm's checksum strings (Subresource Integrity: {@code sha512-<base64 of the digest>}). Only sha512 is accepted: it
 * is what the registry reports for every package published since 2017, and weaker digests are not worth pinning.
 */
public final class Integrity {

    private static final String PREFIX = "sha512-";

    private Integrity() {
    }

    /** The digest bytes of an integrity string; rejects anything but a well-formed sha512 one. */
    static byte[] parse(String integrity) {
        if (integrity == null || !integrity.startsWith(PREFIX)) {
            throw new IllegalArgumentException("integrity '" + integrity + "' must start with '" + PREFIX + "'");
        }
        byte[] digest;
        try {
            digest = Base64.getDecoder().decode(integrity.substring(PREFIX.length()));
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("integrity '" + integrity + "' is not base64 after '" + PREFIX + "'", e);
        }
        if (digest.length != 64) {
            throw new IllegalArgumentException("integrity '" + integrity + "' holds " + digest.length + " bytes, a sha512 digest has 64");
        }
        return digest;
    }

    /** The integrity string of a file's bytes. */
    public static String of(Path file) {
        MessageDigest sha512;
        try {
            sha512 = MessageDigest.getInstance("SHA-512");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("this JDK has no SHA-512", e);
        }
        byte[] buffer = new byte[1 << 16];
        try (InputStream in = Files.newInputStream(file)) {
            int n;
            while ((n = in.read(buffer)) > 0) {
                sha512.update(buffer, 0, n);
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read " + file, e);
        }
        return PREFIX + Base64.getEncoder().encodeToString(sha512.digest());
    }

    /** Whether the file's bytes have the package's pinned checksum. */
    public static boolean matches(NpmPackage pkg, Path file) {
        return MessageDigest.isEqual(parse(pkg.integrity()), parse(of(file)));
    }

    /** Throws a {@link SourceFetchException} naming the package, the expected and the actual checksum on a mismatch. */
    public static void verify(NpmPackage pkg, Path file) {
        String actual = of(file);
        if (!MessageDigest.isEqual(parse(pkg.integrity()), parse(actual))) {
            throw new SourceFetchException(pkg + ": the tarball " + file + " does not have the pinned checksum: expected "
                    + pkg.integrity() + ", got " + actual);
        }
    }
}
