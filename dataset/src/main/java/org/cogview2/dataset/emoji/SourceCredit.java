package org.cogview2.dataset.emoji;

import org.cogview2.dataset.npm.NpmPackage;

import java.util.Locale;
import java.util.Objects;

/**
 * Where one part of the data set comes from and what its licence asks for; becomes a section of {@code NOTICE} and
 * an entry of {@code dataset.json}.
 *
 * @param pkg            the npm package it is taken from
 * @param role           what it gives ({@code captions} or {@code pictures})
 * @param style          the picture style it gives, or {@code null} for captions
 * @param contentLicense the licence of the content used (may differ from the package's code licence: Twemoji's
 *                       graphics are CC-BY-4.0 while its npm package says MIT)
 * @param copyright      the copyright or attribution line the licence asks to keep
 * @param url            the upstream project
 */
public record SourceCredit(NpmPackage pkg, String role, String style, String contentLicense, String copyright, String url) {

    public SourceCredit {
        Objects.requireNonNull(pkg, "pkg");
        Objects.requireNonNull(role, "role");
        Objects.requireNonNull(contentLicense, "contentLicense");
        Objects.requireNonNull(copyright, "copyright");
        Objects.requireNonNull(url, "url");
        // The set is meant for any use, so share-alike and non-commercial content (e.g. OpenMoji's CC-BY-SA) is refused.
        String id = contentLicense.toUpperCase(Locale.ROOT);
        if (id.contains("-SA") || id.contains("-NC") || id.contains("GPL")) {
            throw new IllegalArgumentException(pkg + ": content licence " + contentLicense
                    + " is share-alike or non-commercial; only permissive sets may go into this data set");
        }
    }
}
