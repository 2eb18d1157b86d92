package org.cogview2.tokenizer.icetk.image;

import org.cogview2.backend.reference.ReferenceBackend;
import org.cogview2.checkpoint.StateDictMismatchException;
import org.cogview2.checkpoint.StoredTensor;
import org.cogview2.checkpoint.TorchCheckpoint;
import org.cogview2.checkpoint.TorchCheckpointWriter;
import org.cogview2.checkpoint.TorchCheckpointWriter.Tensor;
import org.cogview2.checkpoint.testing.ReleasedFileVariants;
import org.cogview2.checkpoint.testing.ReleasedFileVariants.Variant;
import org.cogview2.checkpoint.testing.SharedTestData;
import org.cogview2.spi.Backend;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** {@code ice_image.pt} as real files come: every {@code torch.save} variant loads; a wrong file fails at open. */
class HierarchicalVqVaeFilesTest {

    @TempDir
    Path dir;

    private final Backend backend = new ReferenceBackend();

    private static Path golden() {
        return SharedTestData.model("icetk").resolve("ice_image.pt");
    }

    private float[] decode(Path file, int[] ids) {
        try (HierarchicalVqVae vq = HierarchicalVqVae.load(file, backend)) {
            return vq.decode(ids, 1, 4, 1);
        }
    }

    @Test
    void everyVariantDecodesBitForBitLikeThePlainFile() {
        int[] ids = new int[16];
        for (int i = 0; i < ids.length; i++) {
            ids[i] = (i * 37) % 50;
        }
        float[] want = decode(golden(), ids);
        for (Variant v : Variant.values()) {
            Path f = dir.resolve(v + "-ice_image.pt");
            ReleasedFileVariants.rewrite(golden(), f, v);
            assertArrayEquals(want, decode(f, ids), v.name());
        }
    }

    /** Without one tensor, or with one of the wrong width, the file is refused when it opens, naming the tensor. */
    @Test
    void aTruncatedOrForeignFileFailsAtOpenNamingTheTensor() {
        String dropped = "decs.1.up.0.block.0.conv2.weight";
        String widened = "enc.mid.attn_1.q.bias";
        for (String key : new String[]{dropped, widened}) {
            Map<String, Object> sd = new LinkedHashMap<>();
            try (TorchCheckpoint c = TorchCheckpoint.open(golden())) {
                for (Map.Entry<String, StoredTensor> e : c.stateDict().entrySet()) {
                    if (!e.getKey().equals(key)) {
                        sd.put(e.getKey(), e.getValue());
                    } else if (key.equals(widened)) {
                        int[] shape = e.getValue().shape();
                        shape[0] += 1;
                        sd.put(key, Tensor.of(e.getValue().dtype(), shape, new float[shape[0]]));
                    }
                }
                Path f = dir.resolve("broken.pt");
                TorchCheckpointWriter.saveLegacy(f, Map.of("module", sd));
                StateDictMismatchException e = assertThrows(StateDictMismatchException.class,
                        () -> HierarchicalVqVae.load(f, backend).close());
                assertTrue(e.getMessage().contains("'" + key + "'") && e.getMessage().contains("broken.pt"), e.getMessage());
            }
        }
    }
}
