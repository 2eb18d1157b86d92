package org.cogview2.dataset.npm;

import java.util.Objects;

/**
 * One npm package pinned by version and by the tarball's checksum.
 *
 * @param name      the package name, e.g. {@code @twemoji/svg}
 * @param version   the exact version, e.g. {@code 15.0.0}
 * @param integrity the tarball's Subresource Integrity string as npm reports it ({@code npm view PKG@VER dist.integrity}),
 *                  e.g. {@code sha512-...}
 * @param license   the {@code license} field expected in the package's {@code package.json} (an SPDX id)
 */
public record NpmPackage(String name, String version, String integrity, String license) {

    public NpmPackage {
        Objects.requireNonNull(name, "name");
        Objects.requireNonNull(version, "version");
        Objects.requireNonNull(license, "license");
        Integrity.parse(integrity); // fail early on a mistyped pin
    }

    /** {@code name@version}, as npm takes it. */
    public String spec() {
        return name + "@" + version;
    }

    /** The file name {@code npm pack} gives the tarball: the scope's {@code @} dropped, its {@code /} made a {@code -}. */
    public String tarballFileName() {
        return name.replace("@", "").replace('/', '-') + "-" + version + ".tgz";
    }

    /** A folder name for the unpacked package, safe on every file system. */
    public String folderName() {
        return name.replace("@", "").replace('/', '-') + "-" + version;
    }

    @Override
    public String toString() {
        return spec();
    }
}
