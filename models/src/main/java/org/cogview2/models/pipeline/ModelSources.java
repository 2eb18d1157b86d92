package org.cogview2.models.pipeline;

import org.cogview2.api.ModelNotFoundException;
import org.cogview2.checkpoint.ModelRepository;
import org.cogview2.checkpoint.SatModelFolder;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * Where the files of a model set are: the three SAT folders, icetk's two files and {@code cluster_label.npy}.
 *
 * @param description shown to users (the folder, or "built-in demo models")
 * @param demo        whether these are the built-in demo models (the emoji set of {@code demo-models})
 */
public record ModelSources(SatModelFolder coglm, SatModelFolder dsr, SatModelFolder itersr, Path iceText, Path iceImage,
                           Path clusterTable, String description, boolean demo) {

    /** The cluster table's file name. */
    public static final String CLUSTER_TABLE = org.cogview2.models.sampling.ClusterTable.FILE_NAME;

    /**
     * The model set under {@code root} (a {@code SAT_HOME}-like folder, see {@link ModelRepository#discover}); the
     * cluster table is {@code clusterTable} if given, else {@code cluster_label.npy} in the root, the SAT home or the
     * icetk folder.
     *
     * @throws ModelNotFoundException listing everything missing and where it was looked for
     */
    public static ModelSources discover(Path root, Path clusterTable) {
        ModelRepository repo = ModelRepository.discover(root);
        Path table = clusterTable;
        if (table == null) {
            List<Path> candidates = List.of(root.resolve(CLUSTER_TABLE), repo.satHome().resolve(CLUSTER_TABLE),
                    repo.icetkDirectory().resolve(CLUSTER_TABLE));
            table = candidates.stream().filter(Files::isRegularFile).findFirst().orElseThrow(() ->
                    new ModelNotFoundException("cluster_label.npy (the cluster table of CogView2's repository) not found; looked at "
                            + String.join(", ", candidates.stream().map(Path::toString).toList())
                            + ". Copy it next to the models or pass its path."));
        } else if (!Files.isRegularFile(table)) {
            throw new ModelNotFoundException("cluster table " + table + " does not exist");
        }
        return new ModelSources(repo.coglm(), repo.dsr(), repo.itersr(), repo.iceText(), repo.iceImage(), table,
                root.toString(), false);
    }

    /** A copy marked as the built-in demo set. */
    public ModelSources asDemo(String description) {
        return new ModelSources(coglm, dsr, itersr, iceText, iceImage, clusterTable, description, true);
    }

    @Override
    public String toString() {
        List<String> parts = new ArrayList<>(List.of(coglm.directory().toString(), dsr.directory().toString(),
                itersr.directory().toString(), iceText.toString(), iceImage.toString(), clusterTable.toString()));
        return String.join(", ", parts);
    }
}
