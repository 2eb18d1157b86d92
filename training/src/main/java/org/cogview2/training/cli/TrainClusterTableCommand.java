package org.cogview2.training.cli;

import org.cogview2.checkpoint.StoredTensor;
import org.cogview2.checkpoint.TorchCheckpoint;
import org.cogview2.checkpoint.npy.NpyArray;
import org.cogview2.models.sampling.ClusterTable;
import org.cogview2.training.clusters.CodebookClusters;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.Callable;

/** {@code cogview2 train cluster-table}: {@code cluster_label.npy} from an image tokenizer's codebook. */
@Command(name = "cluster-table", mixinStandardHelpOptions = true,
        description = "Group an image tokenizer's codebook into CogView2's 500 sampling clusters (k-means), written as cluster_label.npy.")
public final class TrainClusterTableCommand implements Callable<Integer> {

    @Option(names = "--tokenizers", required = true, paramLabel = "DIR", description = "Folder with ice_image.pt.")
    Path tokenizers;

    @Option(names = "--out", required = true, paramLabel = "DIR", description = "Folder to write cluster_label.npy into.")
    Path out;

    @Option(names = "--iterations", defaultValue = "25", paramLabel = "N", description = "Lloyd iterations (default: ${DEFAULT-VALUE}).")
    int iterations;

    @Option(names = "--seed", defaultValue = "1", paramLabel = "N", description = "Seed of the k-means++ start (default: ${DEFAULT-VALUE}).")
    long seed;

    @Spec
    CommandSpec spec;

    @Override
    public Integer call() throws Exception {
        Path file = tokenizers.resolve("ice_image.pt");
        long[] labels;
        try (TorchCheckpoint c = TorchCheckpoint.open(file)) {
            StoredTensor codebook = c.stateDict().get("quantize.embed.weight");
            if (codebook == null || codebook.shape().length != 2) {
                throw new IllegalArgumentException(file + " has no 2-D quantize.embed.weight");
            }
            int codes = codebook.shape()[0];
            int dim = codebook.shape()[1];
            labels = CodebookClusters.labels(codebook.toFloats(), codes, dim, iterations, seed);
        }
        Files.createDirectories(out);
        Path target = out.resolve(ClusterTable.FILE_NAME);
        NpyArray.writeLongs(target, new int[]{labels.length}, labels);
        ClusterTable.load(target); // the file reads back as the pipeline reads it
        spec.commandLine().getOut().println("wrote " + target);
        return 0;
    }
}
