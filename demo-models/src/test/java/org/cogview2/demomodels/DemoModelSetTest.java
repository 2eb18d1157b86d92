package org.cogview2.demomodels;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.util.HexFormat;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The shipped set unpacks with every checksum holding, into a complete SAT_HOME-like folder, and notices damage. */
class DemoModelSetTest {

    @Test
    void unpacksEveryListedFileWithItsChecksum(@TempDir Path tmp) throws Exception {
        Map<String, String> sums = DemoModelSet.checksums();
        for (String required : new String[]{"icetk/ice_text.model", "icetk/ice_image.pt", "cluster_label.npy",
                "coglm/latest", "coglm/model_config.json", "cogview2-dsr/latest", "cogview2-itersr/latest"}) {
            assertTrue(sums.containsKey(required), "SHA256SUMS lists " + required);
        }
        Path dir = DemoModelSet.ensure(tmp.resolve("set"));
        for (Map.Entry<String, String> f : sums.entrySet()) {
            assertEquals(f.getValue(), sha256(dir.resolve(f.getKey())), f.getKey());
        }
        // The files in the module folder are the ones the jar carries (the repository and the artifact agree).
        Path source = Path.of("").toAbsolutePath();
        for (Map.Entry<String, String> f : sums.entrySet()) {
            assertEquals(f.getValue(), sha256(source.resolve(f.getKey())), "demo-models/" + f.getKey() + " matches SHA256SUMS");
        }
        assertEquals(dir, DemoModelSet.ensure(dir), "a second use finds the folder ready");
    }

    @Test
    void aChangedFileIsReportedByName(@TempDir Path tmp) throws IOException {
        Path dir = DemoModelSet.ensure(tmp.resolve("set"));
        Files.writeString(dir.resolve("coglm/latest"), "12345678\n");
        IllegalStateException e = assertThrows(IllegalStateException.class, () -> DemoModelSet.ensure(dir));
        assertTrue(e.getMessage().contains("latest") && e.getMessage().contains("delete"), e.getMessage());
    }

    static String sha256(Path f) throws Exception {
        MessageDigest d = MessageDigest.getInstance("SHA-256");
        try (InputStream in = Files.newInputStream(f)) {
            d.update(in.readAllBytes());
        }
        return HexFormat.of().formatHex(d.digest());
    }
}
