package org.cogview2.dataset.npm;

import org.apache.commons.compress.archivers.tar.TarArchiveEntry;
import org.apache.commons.compress.archivers.tar.TarArchiveInputStream;

import java.io.BufferedInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.zip.GZIPInputStream;

/**
 * Unpacks a gzip-compressed tar (an npm tarball) into a folder. Only plain files and folders are written; an entry
 * whose path would land outside the folder (absolute, or with {@code ..}) is refused, since the tarball comes from a
 * registry.
 */
public final class TarballExtractor {

    private TarballExtractor() {
    }

    /** Unpacks {@code tarball} into {@code into} (created if needed); returns the number of files written. */
    public static int extract(Path tarball, Path into) throws IOException {
        Files.createDirectories(into);
        Path root = into.toAbsolutePath().normalize();
        int files = 0;
        try (InputStream raw = new BufferedInputStream(Files.newInputStream(tarball));
             TarArchiveInputStream tar = new TarArchiveInputStream(new GZIPInputStream(raw))) {
            TarArchiveEntry entry;
            while ((entry = tar.getNextEntry()) != null) {
                Path target = root.resolve(entry.getName()).normalize();
                if (!target.startsWith(root) || entry.getName().startsWith("/")) {
                    throw new IOException(tarball + ": entry '" + entry.getName() + "' points outside the package folder");
                }
                if (entry.isDirectory()) {
                    Files.createDirectories(target);
                } else if (entry.isFile()) {
                    Files.createDirectories(target.getParent());
                    Files.copy(tar, target, java.nio.file.StandardCopyOption.REPLACE_EXISTING);
                    files++;
                }
                // Links and devices are not part of any package this module reads: skipped.
            }
        }
        return files;
    }
}
