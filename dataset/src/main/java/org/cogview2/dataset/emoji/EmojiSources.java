package org.cogview2.dataset.emoji;

import org.cogview2.dataset.npm.NpmFetcher;
import org.cogview2.dataset.npm.NpmPackage;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The pinned sources of the emoji set: npm packages by exact version and the sha512 of their tarball (as the npm
 * registry reports it in {@code dist.integrity}), with the licence each {@code package.json} must declare. Changing any
 * of them makes a different data set: give it a new output folder.
 */
public final class EmojiSources {

    /** Labels and tags in 30 languages, from Unicode CLDR; {@code en/data.json} and {@code zh/data.json} are read. */
    public static final NpmPackage EMOJIBASE_DATA = new NpmPackage("emojibase-data", "17.0.0",
            "sha512-Yvgb5AWoHViHV/gq1qr5ZAarcBip+B27/ZLRsUJkbgAEaLlZ/fof9g882LTpmEpyhBNEC0m2SEmItljHsTygjA==", "MIT");
    /** Twemoji as one SVG per code-point sequence at the package root (the package's code is MIT, the art CC-BY 4.0). */
    public static final NpmPackage TWEMOJI_SVG = new NpmPackage("@twemoji/svg", "15.0.0",
            "sha512-ZSPef2B6nBaYnfgdTbAy4jgW95o7pi2xPGwGCU+WMTxo7J6B1lMPTWwSq/wTuiMq+N0khQ90CcvYp1wFoQpo/w==", "MIT");
    /** Google's Noto Emoji as an Iconify JSON set. */
    public static final NpmPackage ICONIFY_NOTO = new NpmPackage("@iconify-json/noto", "1.2.9",
            "sha512-DQiuXENbun41ch+XPSV55H9FaWKpHTyz46YIKtSaKYD4fIDDzL1tR6H4np/T38jfrTAeI3rcKF0mqHYeZVAuaw==", "Apache-2.0");
    /** Microsoft's Fluent Emoji (flat style) as an Iconify JSON set. */
    public static final NpmPackage ICONIFY_FLUENT_FLAT = new NpmPackage("@iconify-json/fluent-emoji-flat", "1.2.6",
            "sha512-RY47RgPb47fYUiyrA64sIOL0+UU02s29sXpNBbIQRBUlPlfNFTKUmZDERGuxDs/7yNGWqQYvuaSYM1M4fRXlUw==", "MIT");

    public static final String TWEMOJI = "twemoji";
    public static final String NOTO = "noto";
    public static final String FLUENT_FLAT = "fluent-flat";

    /** Every style, in build order. */
    public static final List<String> STYLES = List.of(TWEMOJI, NOTO, FLUENT_FLAT);

    static final SourceCredit EMOJIBASE_CREDIT = new SourceCredit(EMOJIBASE_DATA, "captions", null, "MIT",
            "Copyright (c) 2017-2019 Miles Johnson. Emoji names and keywords derive from the Unicode CLDR annotations "
                    + "(Copyright (c) Unicode, Inc., Unicode License v3).",
            "https://github.com/milesj/emojibase");

    private static final Map<String, SourceCredit> PICTURE_CREDITS = new LinkedHashMap<>();

    static {
        PICTURE_CREDITS.put(TWEMOJI, new SourceCredit(TWEMOJI_SVG, "pictures", TWEMOJI, "CC-BY-4.0",
                "Twemoji graphics: Copyright 2019 Twitter, Inc and other contributors; Copyright 2024 jdecked and other "
                        + "contributors. Licensed under CC-BY 4.0 (https://creativecommons.org/licenses/by/4.0/). "
                        + "SVG packaging @twemoji/svg: Copyright (c) 2023 Samuel Kopp, MIT.",
                "https://github.com/jdecked/twemoji"));
        PICTURE_CREDITS.put(NOTO, new SourceCredit(ICONIFY_NOTO, "pictures", NOTO, "Apache-2.0",
                "Noto Emoji: Copyright Google Inc. Licensed under the Apache License, Version 2.0 "
                        + "(https://www.apache.org/licenses/LICENSE-2.0). Iconify JSON packaging by Iconify.",
                "https://github.com/googlefonts/noto-emoji"));
        PICTURE_CREDITS.put(FLUENT_FLAT, new SourceCredit(ICONIFY_FLUENT_FLAT, "pictures", FLUENT_FLAT, "MIT",
                "Fluent Emoji: Copyright (c) Microsoft Corporation. Licensed under the MIT License. "
                        + "Iconify JSON packaging by Iconify.",
                "https://github.com/microsoft/fluentui-emoji"));
    }

    private EmojiSources() {
    }

    /** The credit of a style's picture set. */
    public static SourceCredit creditOf(String style) {
        SourceCredit credit = PICTURE_CREDITS.get(style);
        if (credit == null) {
            throw new IllegalArgumentException("unknown style '" + style + "'; known: " + String.join(", ", STYLES));
        }
        return credit;
    }

    /**
     * Fetches (or reuses) the pinned packages into {@code sourcesDir} and opens them as build inputs.
     *
     * @param styles the picture styles to include, a subset of {@link #STYLES}
     */
    public static EmojiInputs fetch(NpmFetcher fetcher, Path sourcesDir, List<String> styles) {
        styles.forEach(EmojiSources::creditOf);
        NpmFetcher.Fetched emojibase = fetcher.fetch(EMOJIBASE_DATA, sourcesDir);
        List<PictureSource> pictures = new ArrayList<>();
        List<SourceCredit> credits = new ArrayList<>();
        credits.add(EMOJIBASE_CREDIT);
        for (String style : STYLES) {
            if (!styles.contains(style)) {
                continue;
            }
            SourceCredit credit = creditOf(style);
            Path dir = fetcher.fetch(credit.pkg(), sourcesDir).packageDir();
            pictures.add(switch (style) {
                case TWEMOJI -> new SvgFolderSource(style, dir);
                default -> IconifySet.read(style, dir.resolve("icons.json"),
                        Files.isRegularFile(dir.resolve("chars.json")) ? dir.resolve("chars.json") : null);
            });
            credits.add(credit);
        }
        return new EmojiInputs(emojibase.packageDir().resolve("en/data.json"), emojibase.packageDir().resolve("zh/data.json"),
                pictures, credits);
    }
}
