package org.cogview2.cli;

import org.cogview2.checkpoint.StoredTensor;
import org.cogview2.cli.CommandLineTest.Run;
import org.cogview2.checkpoint.TorchCheckpoint;
import org.cogview2.models.demo.DemoModels;
import org.cogview2.spi.DType;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.util.Map;

import static org.cogview2.cli.CommandLineTest.run;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** {@code cogview2 convert}: the demo image tokenizer (fp32) to fp16, every value rounded to its nearest half. */
class ConvertCommandTest {

    @Test
    void convertsEveryFloatingTensorAndKeepsTheValuesToHalfPrecision(@TempDir Path dir) {
        System.setProperty("cogview2.demo.dir", dir.resolve("demo").toString());
        Path in = DemoModels.ensure().resolve("icetk").resolve("ice_image.pt");
        Path out = dir.resolve("half.pt");
        Run converted = run("convert", in.toString(), out.toString(), "--dtype", "f16");
        assertEquals(0, converted.status(), converted.err());
        try (TorchCheckpoint a = TorchCheckpoint.open(in); TorchCheckpoint b = TorchCheckpoint.open(out)) {
            Map<String, StoredTensor> x = a.stateDict();
            Map<String, StoredTensor> y = b.stateDict();
            assertEquals(x.keySet(), y.keySet());
            for (String key : x.keySet()) {
                assertEquals(DType.F16, y.get(key).dtype(), key);
                float[] p = x.get(key).toFloats();
                float[] q = y.get(key).toFloats();
                for (int i = 0; i < p.length; i++) {
                    assertEquals(Float.float16ToFloat(Float.floatToFloat16(p[i])), q[i], 0f, key + "[" + i + "]");
                }
            }
        }
        assertTrue(converted.out().contains("wrote"), converted.out());
        Run bad = run("convert", in.toString(), out.toString(), "--dtype", "f8");
        assertEquals(1, bad.status());
        assertTrue(bad.err().contains("--dtype must be f32, f16 or bf16, got 'f8'"), bad.err());
    }
}
