package org.cogview2.cli;

import org.cogview2.api.InvalidInputException;
import org.cogview2.checkpoint.StoredTensor;
import org.cogview2.checkpoint.TorchCheckpoint;
import org.cogview2.checkpoint.TorchCheckpointWriter;
import org.cogview2.spi.DType;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;

/**
 * {@code cogview2 convert IN OUT --dtype f16}: a state-dict file ({@code {'module': state_dict}}, as
 * {@code ice_image.pt} and SAT's {@code mp_rank_00_model_states.pt} are) with its floating tensors in another
 * type; integer tensors are copied as they are, anything beside {@code module} is left out.
 */
@Command(name = "convert", mixinStandardHelpOptions = true,
        description = "Write a checkpoint's state dict with its floating tensors in another type (f32, f16, bf16).")
final class ConvertCommand implements Runnable {

    private static final Set<DType> FLOATING = Set.of(DType.F32, DType.F16, DType.BF16);

    @Parameters(index = "0", paramLabel = "IN", description = "A checkpoint holding {'module': state_dict}.")
    Path in;

    @Parameters(index = "1", paramLabel = "OUT", description = "Where to write the converted file.")
    Path out;

    @Option(names = "--dtype", required = true, paramLabel = "TYPE", description = "f32, f16 or bf16.")
    String dtype;

    @Spec
    CommandSpec spec;

    @Override
    public void run() {
        DType target = switch (dtype.toLowerCase(java.util.Locale.ROOT)) {
            case "f32", "fp32", "float32" -> DType.F32;
            case "f16", "fp16", "float16", "half" -> DType.F16;
            case "bf16", "bfloat16" -> DType.BF16;
            default -> throw new InvalidInputException("--dtype must be f32, f16 or bf16, got '" + dtype + "'");
        };
        if (in.toAbsolutePath().normalize().equals(out.toAbsolutePath().normalize())) {
            throw new InvalidInputException("IN and OUT are the same file (" + in + "); write the conversion elsewhere");
        }
        Map<String, Object> converted = new LinkedHashMap<>();
        long before = 0;
        long after = 0;
        try (TorchCheckpoint checkpoint = TorchCheckpoint.open(in)) {
            for (Map.Entry<String, StoredTensor> e : checkpoint.stateDict().entrySet()) {
                StoredTensor t = e.getValue();
                before += t.data().byteSize();
                if (FLOATING.contains(t.dtype())) {
                    converted.put(e.getKey(), TorchCheckpointWriter.Tensor.of(target, t.shape(), t.toFloats()));
                    after += t.data().byteSize() / t.dtype().byteSize() * target.byteSize();
                } else {
                    converted.put(e.getKey(), t);
                    after += t.data().byteSize();
                }
            }
            Path tmp = out.resolveSibling(out.getFileName() + ".tmp");
            TorchCheckpointWriter.saveStateDict(tmp, converted);
            try {
                Files.move(tmp, out, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
            } catch (IOException e) {
                throw new UncheckedIOException("cannot move " + tmp + " to " + out + ": " + e.getMessage(), e);
            }
        }
        spec.commandLine().getOut().printf("wrote %s: %d tensors, %.1f MB of tensor data (was %.1f MB)%n", out,
                converted.size(), after / 1e6, before / 1e6);
    }
}
