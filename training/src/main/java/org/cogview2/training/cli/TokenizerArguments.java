package org.cogview2.training.cli;

import org.cogview2.checkpoint.StoredTensor;
import org.cogview2.checkpoint.TorchCheckpoint;
import picocli.CommandLine.Option;

import java.nio.file.Files;
import java.nio.file.Path;

/** The trained tokenizers the transformers of a set are trained with ({@code ice_text.model}, {@code ice_image.pt}). */
final class TokenizerArguments {

    @Option(names = "--tokenizers", required = true, paramLabel = "DIR",
            description = "Folder with ice_text.model and ice_image.pt (e.g. demo-models/icetk, or 'train text-tokenizer' / 'train image-tokenizer' output).")
    Path dir;

    Path iceText() {
        return existing("ice_text.model");
    }

    Path iceImage() {
        return existing("ice_image.pt");
    }

    /** Where the data set's picture tokens are cached: {@code <data>/tokens}. */
    Path tokenCache(Path data) {
        return data.resolve("tokens");
    }

    /** Rows of the image tokenizer's codebook ({@code quantize.embed.weight}): the image ids it can produce. */
    int codebookSize() {
        try (TorchCheckpoint c = TorchCheckpoint.open(iceImage())) {
            StoredTensor codebook = c.stateDict().get("quantize.embed.weight");
            if (codebook == null) {
                throw new IllegalArgumentException(iceImage() + " has no quantize.embed.weight");
            }
            return codebook.shape()[0];
        }
    }

    private Path existing(String name) {
        Path p = dir.resolve(name);
        if (!Files.isRegularFile(p)) {
            throw new IllegalArgumentException("--tokenizers " + dir + " has no " + name);
        }
        return p;
    }

}
