package org.cogview2.conformance;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

class GoldenDataTest {

    private String saved;

    @BeforeEach
    void save() {
        saved = System.getProperty(GoldenData.GOLDEN_PROPERTY);
    }

    @AfterEach
    void restore() {
        if (saved == null) {
            System.clearProperty(GoldenData.GOLDEN_PROPERTY);
        } else {
            System.setProperty(GoldenData.GOLDEN_PROPERTY, saved);
        }
    }

    @Test
    void thePropertyNamesTheGoldenFolder(@TempDir Path dir) throws Exception {
        Files.createDirectories(dir.resolve("local_attention_kernel"));
        System.setProperty(GoldenData.GOLDEN_PROPERTY, dir.toString());
        assertEquals(dir.toAbsolutePath().normalize(), GoldenData.locate().orElseThrow());
        assertEquals(dir.resolve("local_attention_kernel").toAbsolutePath().normalize(),
                GoldenData.caseFolder("local_attention_kernel").orElseThrow());
        assertTrue(GoldenData.caseFolder("no_such_case").isEmpty());
        assertTrue(GoldenData.notFoundReason("no_such_case").contains("'no_such_case' not found"));
    }

    @Test
    void missingGoldenDataSkipsUnlessRequired(@TempDir Path dir) {
        System.setProperty(GoldenData.GOLDEN_PROPERTY, dir.resolve("missing").toString());
        String saved = System.getProperty(GoldenData.REQUIRED_PROPERTY);
        try {
            System.setProperty(GoldenData.REQUIRED_PROPERTY, "false");
            StringBuilder skipped = new StringBuilder();
            GoldenData.skipOrFail("dsr", skipped::append);
            assertTrue(skipped.toString().contains("golden data not found"), skipped.toString());
            System.setProperty(GoldenData.REQUIRED_PROPERTY, "true");
            IllegalStateException e = org.junit.jupiter.api.Assertions.assertThrows(IllegalStateException.class,
                    () -> GoldenData.skipOrFail("dsr", reason -> { }));
            assertTrue(e.getMessage().contains("must be present"), e.getMessage());
        } finally {
            if (saved == null) {
                System.clearProperty(GoldenData.REQUIRED_PROPERTY);
            } else {
                System.setProperty(GoldenData.REQUIRED_PROPERTY, saved);
            }
        }
    }

    @Test
    void aPropertyNamingNoFolderFindsNothing(@TempDir Path dir) {
        System.setProperty(GoldenData.GOLDEN_PROPERTY, dir.resolve("missing").toString());
        assertTrue(GoldenData.locate().isEmpty());
        assertTrue(GoldenData.notFoundReason("x").contains("-Dcogview2.golden"));
    }
}
