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
    void aPropertyNamingNoFolderFindsNothing(@TempDir Path dir) {
        System.setProperty(GoldenData.GOLDEN_PROPERTY, dir.resolve("missing").toString());
        assertTrue(GoldenData.locate().isEmpty());
        assertTrue(GoldenData.notFoundReason("x").contains("-Dcogview2.golden"));
    }
}
