package org.cogview2.checkpoint;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.Map;

/**
 * Writes a SAT model folder in the released layout ({@link SatModelFolder}): {@code latest}, {@code model_config.json}
 * and {@code <iteration>/mp_rank_00_model_states.pt} (a zip-format {@code torch.save} of {@code {'module': state}}).
 * Each file is written beside its final name and moved into place, so a reader never sees half a folder's file;
 * iteration folders of earlier writes (numeric names holding only a checkpoint) are removed once {@code latest} names
 * the new one, so that a trainer exporting at every checkpoint leaves one model behind.
 */
public final class SatFolderWriter {

    private SatFolderWriter() {
    }

    /**
     * @param modelClass SAT's {@code model_class} ({@code CachedAutoregressiveModel}, {@code DsrModel}, {@code ItersrModel})
     * @param iteration  the iteration tag written into {@code latest} (positive)
     * @param stateDict  tensor name to {@link TorchCheckpointWriter.Tensor}, in the order to write
     */
    public static void write(Path folder, String modelClass, TransformerConfig c, long iteration,
                             Map<String, TorchCheckpointWriter.Tensor> stateDict) {
        if (iteration < 1) {
            throw new IllegalArgumentException("iteration must be positive, got " + iteration);
        }
        try {
            Path tagDir = Files.createDirectories(folder.resolve(Long.toString(iteration)));
            Path checkpoint = tagDir.resolve(SatModelFolder.CHECKPOINT_NAME);
            Path tmp = checkpoint.resolveSibling(SatModelFolder.CHECKPOINT_NAME + ".tmp");
            TorchCheckpointWriter.saveStateDict(tmp, stateDict);
            Files.move(tmp, checkpoint, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
            writeAtomically(folder.resolve(SatModelFolder.CONFIG_NAME), configJson(modelClass, c));
            writeAtomically(folder.resolve(SatModelFolder.LATEST_NAME), iteration + "\n");
            removeEarlierIterations(folder, Long.toString(iteration));
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write the SAT model folder " + folder + ": " + e.getMessage(), e);
        }
    }

    /** The {@code model_config.json} of a CogView2 transformer with these hyper-parameters. */
    public static String configJson(String modelClass, TransformerConfig c) {
        return """
                {
                    "model_class": "%s",
                    "tokenizer_type": "icetk",
                    "num_layers": %d,
                    "hidden_size": %d,
                    "num_attention_heads": %d,
                    "vocab_size": %d,
                    "layernorm_order": "%s",
                    "model_parallel_size": 1,
                    "max_sequence_length": %d
                }
                """.formatted(modelClass, c.numLayers(), c.hiddenSize(), c.numAttentionHeads(), c.vocabSize(),
                c.layerNormOrder().jsonName(), c.maxSequenceLength());
    }

    private static void removeEarlierIterations(Path folder, String current) throws IOException {
        try (var dirs = Files.list(folder)) {
            for (Path d : dirs.toList()) {
                String name = d.getFileName().toString();
                if (name.equals(current) || !name.matches("[0-9]{1,19}") || !Files.isDirectory(d)) {
                    continue;
                }
                try (var files = Files.list(d)) {
                    if (!files.allMatch(f -> f.getFileName().toString().equals(SatModelFolder.CHECKPOINT_NAME))) {
                        continue; // something else lives there: not ours to delete
                    }
                }
                Files.deleteIfExists(d.resolve(SatModelFolder.CHECKPOINT_NAME));
                Files.deleteIfExists(d);
            }
        }
    }

    private static void writeAtomically(Path file, String text) throws IOException {
        Path tmp = file.resolveSibling(file.getFileName() + ".tmp");
        Files.writeString(tmp, text, StandardCharsets.UTF_8);
        Files.move(tmp, file, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
    }
}
