package org.cogview2.training.coglm;

import org.cogview2.dataset.ManifestEntry;
import org.cogview2.training.tokens.PictureTokens;

import java.nio.file.Path;
import java.util.List;

/** The fixtures of {@link CogLmTaskTest} for the tests of the other tasks. */
public final class CogLmTaskTestAccess {

    public static final Path ICE_TEXT = CogLmTaskTest.ICE_TEXT;
    public static final int CODES = CogLmTaskTest.CODES;

    private CogLmTaskTestAccess() {
    }

    public static List<ManifestEntry> entries() {
        return CogLmTaskTest.entries();
    }

    public static PictureTokens grids(int side, long seed) {
        return CogLmTaskTest.grids(side, seed);
    }
}
