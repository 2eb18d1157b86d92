package org.cogview2.training.tokens;

import ai.djl.ndarray.NDManager;
import org.cogview2.api.RgbImage;
import org.cogview2.backend.reference.ReferenceBackend;
import org.cogview2.dataset.Manifest;
import org.cogview2.dataset.ManifestEntry;
import org.cogview2.tokenizer.icetk.image.IceImageTokenizer;
import org.cogview2.training.core.TrainingRuntime;
import org.cogview2.training.image.TinyDataset;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import javax.imageio.ImageIO;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The tokens the transformers train on are what the SDK's own tokenizer makes of the same pictures, and they are
 * encoded once: a second load reads the cache (named after the tokenizer's checksum) without the pictures.
 */
class PictureTokensTest {

    static final Path ICE_IMAGE = Path.of("..", "demo-models", "icetk", "ice_image.pt");

    @Test
    void tokensMatchTheSdkTokenizerAndAreCached(@TempDir Path tmp) throws Exception {
        Path data = TinyDataset.write(tmp.resolve("data"), 4);
        List<ManifestEntry> entries = Manifest.read(data);
        Path cache = tmp.resolve("cache");
        PictureTokens tokens;
        try (NDManager manager = TrainingRuntime.newManager(1)) {
            tokens = PictureTokens.load(cache, data, entries, ICE_IMAGE, PictureTokens.LOW_SIDE, manager, null);
        }
        try (ReferenceBackend backend = new ReferenceBackend();
             IceImageTokenizer sdk = IceImageTokenizer.load(ICE_IMAGE, backend)) {
            for (ManifestEntry e : entries) {
                RgbImage picture = RgbImage.fromBufferedImage(ImageIO.read(data.resolve(e.image160()).toFile()));
                int[] expected = sdk.encode(picture, 8).ids();
                int[] got = tokens.grid(e.id());
                int same = 0;
                for (int i = 0; i < expected.length; i++) {
                    same += expected[i] == got[i] ? 1 : 0;
                }
                // libtorch and our backend round differently; a near tie may pick the neighbouring code.
                assertTrue(same >= 0.99 * expected.length, e.id() + ": " + same + " of 400 ids agree");
            }
        }
        try (var files = Files.list(cache)) {
            List<String> names = files.map(p -> p.getFileName().toString()).toList();
            assertEquals(1, names.size(), names.toString());
            assertTrue(names.get(0).matches("tokens-[0-9a-f]{16}-20\\.bin"), names.get(0));
        }
        // The pictures are gone: only the cache can answer now.
        for (ManifestEntry e : entries) {
            Files.delete(data.resolve(e.image160()));
        }
        try (NDManager manager = TrainingRuntime.newManager(1)) {
            PictureTokens again = PictureTokens.load(cache, data, entries, ICE_IMAGE, PictureTokens.LOW_SIDE, manager, null);
            for (ManifestEntry e : entries) {
                assertArrayEquals(tokens.grid(e.id()), again.grid(e.id()));
            }
        }
        IllegalArgumentException unknown = assertThrows(IllegalArgumentException.class, () -> tokens.grid("nope"));
        assertTrue(unknown.getMessage().contains("'nope'"), unknown.getMessage());
    }
}
